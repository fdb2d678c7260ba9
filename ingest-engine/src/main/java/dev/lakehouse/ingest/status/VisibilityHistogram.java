package dev.lakehouse.ingest.status;

import java.util.Arrays;

/**
 * How long records took to become visible: per committed batch, the time from each record's timestamp (its Kafka
 * timestamp, or its event-time column) to the commit that made it queryable, counted into fixed buckets since the
 * pipeline started. Exported as a Prometheus histogram, so {@code histogram_quantile} gives the p50 or p99 of
 * freshness over any range. Each batch's records are counted by their time buckets ({@link RecordTimes}) with the
 * bucket's start, so a record is never counted fresher than it was; a batch costs its time buckets, not its records.
 * Thread-safe: the writer adds, the metrics scrape reads.
 */
public final class VisibilityHistogram {

    /** The buckets' upper bounds, in seconds (a last, unbounded bucket follows). */
    public static final double[] UPPER_BOUNDS_SECONDS = {0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
        21600, 86400};

    /**
     * A copy of the counts at one moment.
     *
     * @param counts records per bucket (not cumulative), one more than {@link #UPPER_BOUNDS_SECONDS}: the last is
     *     over the largest bound
     * @param sumSeconds the sum of all counted records' times to visibility
     */
    public record Snapshot(long[] counts, double sumSeconds) {
        public long count() {
            return Arrays.stream(counts).sum();
        }
    }

    private final long[] counts = new long[UPPER_BOUNDS_SECONDS.length + 1];
    private double sumSeconds;

    /** Counts a committed batch's records by how long before {@code commitMillis} their time was. */
    public synchronized void committed(long commitMillis, RecordTimes times) {
        times.forEachBucket((startMillis, records) -> {
            double seconds = Math.max(0, commitMillis - startMillis) / 1000.0;
            int bucket = Arrays.binarySearch(UPPER_BOUNDS_SECONDS, seconds);
            counts[bucket >= 0 ? bucket : -bucket - 1] += records;
            sumSeconds += seconds * records;
        });
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(counts.clone(), sumSeconds);
    }
}
