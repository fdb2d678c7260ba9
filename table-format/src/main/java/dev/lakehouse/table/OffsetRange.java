package dev.lakehouse.table;

import java.util.Objects;

/**
 * The Kafka offsets a batch consumed from one partition: from {@code startOffset} (the consumer position when
 * the batch began, which equals the table's committed next offset) up to {@code nextOffset} exclusive (the
 * position after the batch). Positions, not record offsets, so transaction markers and compacted-away offsets
 * are never mistaken for gaps.
 */
public record OffsetRange(String topic, int partition, long startOffset, long nextOffset) {

    public OffsetRange {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0 || startOffset < 0 || nextOffset < startOffset) {
            throw new IllegalArgumentException("invalid offset range " + topic + "-" + partition + " ["
                    + startOffset + ", " + nextOffset + ")");
        }
    }

    /** This range's partition as {@code pipeline} reads it. */
    public SourcePartition source(String pipeline) {
        return new SourcePartition(pipeline, topic, partition);
    }

    /** The table transaction id holding this partition's next offset ({@link SourcePartition#transactionId()}). */
    public String appId(String pipeline) {
        return source(pipeline).transactionId();
    }
}
