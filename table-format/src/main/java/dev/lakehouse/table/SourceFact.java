package dev.lakehouse.table;

import java.util.Objects;

/**
 * The key of a fact kept beside a table about one of its source partitions ({@link LakeTable#recordSourceFacts}):
 * which kind of fact, of which partition.
 */
public record SourceFact(Kind kind, SourcePartition partition) {

    /** The kinds of facts, each with the name it is stored under. */
    public enum Kind {
        /** The Kafka topic id the partition's offsets belong to, recorded at its first assignment. */
        TOPIC_ID("topic-id"),
        /** Where a partition without offsets in the table starts, decided once ({@code latest}, a timestamp). */
        START_OFFSET("start-offset"),
        /** When the partition's offsets were reset because its topic was deleted and created again. */
        TOPIC_RESET("topic-reset");

        private final String storedAs;

        Kind(String storedAs) {
            this.storedAs = storedAs;
        }
    }

    public SourceFact {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(partition, "partition");
    }

    public static SourceFact topicId(SourcePartition partition) {
        return new SourceFact(Kind.TOPIC_ID, partition);
    }

    public static SourceFact startOffset(SourcePartition partition) {
        return new SourceFact(Kind.START_OFFSET, partition);
    }

    public static SourceFact topicReset(SourcePartition partition) {
        return new SourceFact(Kind.TOPIC_RESET, partition);
    }

    /**
     * The key it is stored under beside the table, {@code <kind>/<pipeline>/<topic>/<partition>}. Stored in every
     * table the appliance wrote: never change its form.
     */
    public String storageKey() {
        return kind.storedAs + "/" + partition.transactionId();
    }
}
