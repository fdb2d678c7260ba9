package dev.lakehouse.ingest.status;

import java.util.Map;
import java.util.TreeMap;

/**
 * The Kafka timestamps of one batch's records, counted per time bucket, so that when the batch commits it can say
 * how many of its records became visible within a freshness objective's time ({@link #atOrAfter}). Buckets start
 * 100 ms wide and widen tenfold whenever a batch spans more than {@value #MAX_BUCKETS} of them (a backlog of days),
 * so a batch holds at most that many counters however many records it has. Records without a timestamp are not
 * counted. Not thread-safe: the poll thread fills it, the writer reads it after the batch is sealed.
 */
public final class RecordTimes {

    static final int MAX_BUCKETS = 256;
    private static final long FIRST_BUCKET_MILLIS = 100;

    private final TreeMap<Long, long[]> counts = new TreeMap<>();
    private long bucketMillis = FIRST_BUCKET_MILLIS;
    private long total;
    /** The bucket the previous record fell in: consecutive records mostly share one (a lookup saved per record). */
    private long lastStart = Long.MIN_VALUE;
    private long[] lastCount;

    public void add(long timestampMillis) {
        if (timestampMillis < 0) {
            return;
        }
        total++;
        if (lastCount != null && timestampMillis >= lastStart && timestampMillis - lastStart < bucketMillis) {
            lastCount[0]++;
            return;
        }
        lastStart = Math.floorDiv(timestampMillis, bucketMillis) * bucketMillis;
        lastCount = counts.computeIfAbsent(lastStart, start -> new long[1]);
        lastCount[0]++;
        if (counts.size() > MAX_BUCKETS) {
            widen();
        }
    }

    private void widen() {
        bucketMillis *= 10;
        TreeMap<Long, long[]> narrow = new TreeMap<>(counts);
        counts.clear();
        for (Map.Entry<Long, long[]> bucket : narrow.entrySet()) {
            long start = Math.floorDiv(bucket.getKey(), bucketMillis) * bucketMillis;
            counts.computeIfAbsent(start, s -> new long[1])[0] += bucket.getValue()[0];
        }
        lastCount = null;
        if (counts.size() > MAX_BUCKETS) {
            widen();
        }
    }

    /** Receives one time bucket: where it starts and how many records fell in it. */
    @FunctionalInterface
    public interface BucketVisitor {
        void bucket(long startMillis, long records);
    }

    /** Hands every time bucket to {@code visitor}, oldest first. */
    public void forEachBucket(BucketVisitor visitor) {
        counts.forEach((start, count) -> visitor.bucket(start, count[0]));
    }

    /** Records counted (those with a timestamp). */
    public long total() {
        return total;
    }

    /**
     * How many records certainly have a timestamp at or after {@code cutoffMillis}: those in buckets that start
     * there or later. A lower bound, short by at most the records of the one bucket the cutoff falls in, so a
     * freshness objective is never judged better than it was.
     */
    public long atOrAfter(long cutoffMillis) {
        long fresh = 0;
        for (long[] count : counts.tailMap(cutoffMillis, true).values()) {
            fresh += count[0];
        }
        return fresh;
    }
}
