package dev.lakehouse.table;

import java.util.Objects;

/**
 * A Kafka partition as one pipeline reads it into a table: what the table keeps a next offset for, and facts
 * about. Two pipelines reading one partition into one table keep their offsets apart.
 */
public record SourcePartition(String pipeline, String topic, int partition) {

    public SourcePartition {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
    }

    /**
     * The table transaction id whose version is this partition's next offset: {@code <pipeline>/<topic>/<partition>}.
     * Stored in every table the appliance wrote: never change its form.
     */
    public String transactionId() {
        return pipeline + "/" + topic + "/" + partition;
    }

    @Override
    public String toString() {
        return transactionId();
    }
}
