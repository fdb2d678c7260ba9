package dev.lakehouse.console;

import dev.lakehouse.ingest.PartitionLag;
import dev.lakehouse.ingest.PipelineStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One pipeline's lag and rates over time, sampled at a fixed period and kept for a bounded window (in memory only).
 *
 * <p>The input rate is how fast the partitions' log-end offsets advanced (records arriving in Kafka); the process
 * rate is how fast the pipeline committed records. Lag grows while input outruns processing, as in Spark's
 * streaming tab. Rates are never negative: a rebalance that drops partitions is not counted as negative input.
 */
final class LagHistory {

    /**
     * @param epochMillis when it was taken
     * @param totalLag records in Kafka not yet in the table, -1 before the lag is known
     * @param inputRowsPerSecond records arriving per second since the previous sample
     * @param processedRowsPerSecond records committed per second since the previous sample
     */
    record Sample(long epochMillis, long totalLag, double inputRowsPerSecond, double processedRowsPerSecond) {
    }

    private final int capacity;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long previousMillis = -1;
    private long previousLogEnd;
    private long previousCommitted;

    LagHistory(int capacity) {
        this.capacity = capacity;
    }

    synchronized void record(PipelineStatus status, long nowMillis) {
        long logEnd = 0;
        boolean lagKnown = false;
        for (PartitionLag partition : status.partitions()) {
            if (partition.logEndOffset() >= 0) {
                logEnd += partition.logEndOffset();
            }
            lagKnown |= partition.lag() >= 0;
        }
        double input = 0;
        double processed = 0;
        if (previousMillis >= 0 && nowMillis > previousMillis) {
            double seconds = (nowMillis - previousMillis) / 1000.0;
            input = Math.max(0, logEnd - previousLogEnd) / seconds;
            processed = Math.max(0, status.recordsCommitted() - previousCommitted) / seconds;
        }
        previousMillis = nowMillis;
        previousLogEnd = logEnd;
        previousCommitted = status.recordsCommitted();
        samples.addLast(new Sample(nowMillis, lagKnown ? status.totalLag() : -1, input, processed));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    /** Oldest first. */
    synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** The newest sample, or null before the first. */
    synchronized Sample latest() {
        return samples.peekLast();
    }
}
