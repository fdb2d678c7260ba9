package dev.lakehouse.registry.serde;

/**
 * Where a payload came from, for error messages and dead letters. Use {@link #UNKNOWN} when there is no record.
 *
 * @param topic Kafka topic, or null
 * @param partition partition, or -1
 * @param offset offset, or -1
 */
public record RecordContext(String topic, int partition, long offset) {

    /** No known origin. */
    public static final RecordContext UNKNOWN = new RecordContext(null, -1, -1);

    @Override
    public String toString() {
        return topic == null ? "(no record context)" : topic + "-" + partition + "@" + offset;
    }
}
