package dev.lakehouse.ingest;

import dev.lakehouse.ingest.status.RecordTimes;
import dev.lakehouse.table.OffsetRange;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps the offsets of the open batch and where the next one starts. Pure bookkeeping on the poll thread; no I/O.
 * When a batch closes is the {@link BatchTrigger}'s decision.
 *
 * <p>Each tracked partition has a position: where the open batch starts, equal to the table's next offset for
 * it. A sealed batch holds one range per tracked partition (empty ranges included, so every partition the
 * pipeline owns gets an offset in the table with the first commit, and a restart never mistakes it for a new
 * partition). Ranges end after the last record seen, so positions chain from batch to batch without gaps even
 * when offsets are missing in Kafka (transaction markers, compacted topics).
 */
final class BatchPlanner {

    /** A closed batch's offsets and size; {@code times} counts its records' timestamps (for freshness). */
    record PlannedBatch(List<OffsetRange> ranges, long records, long bytes, long openedAtMillis, long sealedAtMillis,
                        long previousSealedAtMillis, long newestRecordTimestampMillis, RecordTimes times) {

        PlannedBatch(List<OffsetRange> ranges, long records, long bytes, long openedAtMillis, long sealedAtMillis,
                     long previousSealedAtMillis, long newestRecordTimestampMillis) {
            this(ranges, records, bytes, openedAtMillis, sealedAtMillis, previousSealedAtMillis,
                    newestRecordTimestampMillis, new RecordTimes());
        }
    }

    private final Clock clock;

    private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
    /** Per partition with records in the open batch, the offset after its last one; mutable, so adding a record
     * allocates nothing (the poll thread adds hundreds of thousands a second). */
    private final Map<TopicPartition, long[]> openNext = new HashMap<>();
    private long records;
    private long bytes;
    private long openedAtMillis = -1;
    private long newestTimestampMillis = -1;
    private RecordTimes times = new RecordTimes();
    private long lastSealedAtMillis = -1;
    private boolean sinceSeek;

    BatchPlanner(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts (or restarts) tracking a partition at a position, after the consumer was sought there; its part of the
     * open batch, if any, is dropped.
     */
    void track(TopicPartition partition, long position) {
        sinceSeek = true;
        positions.put(partition, position);
        openNext.remove(partition);
    }

    void untrack(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            positions.remove(partition);
            openNext.remove(partition);
        }
    }

    Set<TopicPartition> tracked() {
        return positions.keySet();
    }

    /**
     * Whether a polled record belongs in the open batch: its partition is tracked and the record is not before the
     * partition's position or a record already taken.
     */
    boolean accepts(TopicPartition partition, long offset) {
        Long position = positions.get(partition);
        if (position == null) {
            return false;
        }
        long[] next = openNext.get(partition);
        return offset >= (next != null ? next[0] : position);
    }

    /**
     * Adds an accepted record to the open batch, opening it if needed. A batch's age counts from when its first
     * record was read from Kafka, not from when it was added: the time that record's conversion took (creating the
     * table, adding columns, a registry lookup) is time its batch has waited.
     *
     * @param timestampMillis the record's time for freshness (its Kafka timestamp, or its event-time column:
     *     {@code EventTimes}), negative when it has none
     * @param readAtMillis when the poll that returned the record returned
     */
    void add(TopicPartition partition, long offset, long sizeBytes, long timestampMillis, long readAtMillis) {
        if (records == 0) {
            openedAtMillis = readAtMillis;
        }
        newestTimestampMillis = Math.max(newestTimestampMillis, timestampMillis);
        times.add(timestampMillis);
        long[] next = openNext.get(partition);
        if (next == null) {
            openNext.put(partition, new long[] {offset + 1});
        } else {
            next[0] = offset + 1;
        }
        records++;
        bytes += sizeBytes;
    }

    /**
     * Whether records of {@code partition} were read and are not in the table yet: in the open batch, or in sealed
     * batches past the table's next offset {@code tableNext}.
     */
    boolean awaitsCommit(TopicPartition partition, long tableNext) {
        Long position = positions.get(partition);
        return openNext.containsKey(partition) || position != null && position > tableNext;
    }

    boolean isEmpty() {
        return records == 0;
    }

    /** The open batch, for the {@link BatchTrigger}. */
    BatchTrigger.OpenBatch openBatch() {
        return new BatchTrigger.OpenBatch(records, bytes, openedAtMillis, sinceSeek);
    }

    /**
     * Closes the open batch and advances every partition's position past it.
     *
     * @throws IllegalStateException if the batch is empty
     */
    PlannedBatch seal() {
        if (records == 0) {
            throw new IllegalStateException("no records to seal");
        }
        List<OffsetRange> ranges = new ArrayList<>(positions.size());
        for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
            TopicPartition partition = entry.getKey();
            long start = entry.getValue();
            long[] open = openNext.get(partition);
            long next = open != null ? open[0] : start;
            ranges.add(new OffsetRange(partition.topic(), partition.partition(), start, next));
            entry.setValue(next);
        }
        long now = clock.millis();
        PlannedBatch batch = new PlannedBatch(ranges, records, bytes, openedAtMillis, now,
                lastSealedAtMillis < 0 ? openedAtMillis : lastSealedAtMillis, newestTimestampMillis, times);
        lastSealedAtMillis = now;
        sinceSeek = false;
        openNext.clear();
        records = 0;
        bytes = 0;
        openedAtMillis = -1;
        newestTimestampMillis = -1;
        times = new RecordTimes();
        return batch;
    }

    /** Drops the open batch; positions stay where the last sealed batch ended. */
    void discardOpen() {
        openNext.clear();
        records = 0;
        bytes = 0;
        openedAtMillis = -1;
        newestTimestampMillis = -1;
        times = new RecordTimes();
    }
}
