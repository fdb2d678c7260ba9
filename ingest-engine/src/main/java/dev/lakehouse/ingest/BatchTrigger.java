package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import java.time.Duration;

/**
 * Decides when the open batch closes, as a rolling policy decides when a part file rolls. Asked by the poll thread
 * after each record, on each poll, and when a poll has read everything the partitions held. Pure: no I/O, time
 * comes in as an argument.
 */
interface BatchTrigger {

    /**
     * The open batch as a trigger sees it.
     *
     * @param records records in it (0: there is no open batch)
     * @param bytes their serialized key and value bytes
     * @param openedAtMillis when its first record was read from Kafka, -1 when empty
     * @param firstSinceSeek whether it is the first batch since the partitions were sought (a start, a rebalance,
     *        a resync)
     */
    record OpenBatch(long records, long bytes, long openedAtMillis, boolean firstSinceSeek) {
        boolean isEmpty() {
            return records == 0;
        }
    }

    /** After a record was added: whether the batch is full. */
    boolean sealAfterRecord(OpenBatch batch);

    /** On a poll: whether the batch has waited long enough. */
    boolean sealOnTime(OpenBatch batch, long nowMillis);

    /** How long a poll may block before {@link #sealOnTime} can turn true; {@code Long.MAX_VALUE} when never. */
    long millisUntilDue(OpenBatch batch, long nowMillis);

    /** After a poll that read up to the end of every assigned partition: whether to close the batch now. */
    boolean sealWhenCaughtUp(OpenBatch batch);

    /**
     * The pipeline's trigger: a batch closes at {@code max-records} or {@code max-bytes}, or {@code trigger} after
     * its first record; and the first batch after a seek closes as soon as it has read everything the partitions
     * held, so after a restart a short backlog is in the table at once and the usual cadence follows. When the
     * backlog is longer, that first batch closes a quarter of {@code trigger} after its first record: a started or
     * rebalanced pipeline shows a commit (and so that its table, storage and offsets work) early, and the backlog
     * follows at the usual cadence.
     */
    static BatchTrigger of(PipelineSettings settings) {
        return new LimitsOrInterval(settings.limits().maxRecords(), settings.limits().maxBytes(), settings.limits().triggerInterval());
    }

    /** See {@link BatchTrigger#of}. */
    record LimitsOrInterval(long maxRecords, long maxBytes, Duration interval) implements BatchTrigger {

        /** The first batch after a seek is due after this share of the interval. */
        private static final int FIRST_BATCH_SHARE = 4;

        @Override
        public boolean sealAfterRecord(OpenBatch batch) {
            return batch.records() >= maxRecords || batch.bytes() >= maxBytes;
        }

        @Override
        public boolean sealOnTime(OpenBatch batch, long nowMillis) {
            return !batch.isEmpty() && nowMillis - batch.openedAtMillis() >= dueAfterMillis(batch);
        }

        @Override
        public long millisUntilDue(OpenBatch batch, long nowMillis) {
            return batch.isEmpty() ? Long.MAX_VALUE
                    : Math.max(0, batch.openedAtMillis() + dueAfterMillis(batch) - nowMillis);
        }

        private long dueAfterMillis(OpenBatch batch) {
            long millis = interval.toMillis();
            return batch.firstSinceSeek() ? Math.max(1, millis / FIRST_BATCH_SHARE) : millis;
        }

        @Override
        public boolean sealWhenCaughtUp(OpenBatch batch) {
            return batch.firstSinceSeek() && !batch.isEmpty();
        }
    }
}
