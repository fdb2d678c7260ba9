package dev.lakehouse.ingest.settings;

/** What to do when the table's next offset of a partition is no longer in Kafka (retention deleted it). */
public enum OffsetGapPolicy {
    /** Stop with a message naming topic, partition and the lost range. */
    FAIL,
    /** Continue at the earliest offset still in Kafka, recording the skipped range in the table history. */
    SKIP
}
