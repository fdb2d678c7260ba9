package dev.lakehouse.ingest.settings;

import java.time.Duration;

/**
 * When batches close and how many bytes a pipeline may hold. A batch closes at whichever comes first:
 * {@code maxRecords}, {@code maxBytes} (serialized key and value bytes) or {@code triggerInterval} after its first
 * record; a batch with no records is never committed.
 *
 * @param triggerInterval positive; default 30 s
 * @param maxRecords at least 1; default 1,000,000
 * @param maxBytes at least 1; default 256 MiB
 * @param maxBytesInFlight how many bytes of read records (rows on their way to Parquet, dead letters with their
 *        payloads) may be held between Kafka and the table at once; the poll thread waits while they are spent, and
 *        an open batch whose dead letters reach half of it closes early. Counted as serialized key and value bytes.
 *        Default ({@link #defaultBytesInFlight()}): an eighth of the JVM's maximum heap, at least 16 MiB: decoded
 *        rows take several times their serialized size on the heap (a 94-byte order is about 500 bytes of
 *        objects), and Parquet buffers a row group beside them
 * @param maxBytesInFlightConfigured whether {@code maxBytesInFlight} was configured rather than the default
 * @param maxRecordBytes records whose key and value exceed this many bytes are dead letters
 *        ({@code RECORD_TOO_LARGE}); at least 1; default 16 MiB
 */
public record BatchLimits(Duration triggerInterval, long maxRecords, long maxBytes, long maxBytesInFlight,
                          boolean maxBytesInFlightConfigured, long maxRecordBytes) {

    /**
     * @throws IllegalArgumentException naming the limit that is out of range
     */
    public BatchLimits {
        if (triggerInterval == null || triggerInterval.isNegative() || triggerInterval.isZero()) {
            throw new IllegalArgumentException("trigger interval must be positive, got " + triggerInterval);
        }
        if (maxRecords < 1) {
            throw new IllegalArgumentException("max records must be at least 1, got " + maxRecords);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("max bytes must be at least 1, got " + maxBytes);
        }
        if (maxBytesInFlight < 1) {
            throw new IllegalArgumentException("max bytes in flight must be positive (or 0 for the default), got "
                    + maxBytesInFlight);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("max record size must be at least 1 byte, got " + maxRecordBytes);
        }
    }

    /** The default of {@link #maxBytesInFlight()} in this JVM. */
    public static long defaultBytesInFlight() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8);
    }
}
