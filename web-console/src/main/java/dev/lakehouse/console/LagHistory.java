package dev.lakehouse.console;

import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One pipeline's lag, rates, freshness and freshness-objective compliance over time, sampled at a fixed period and
 * kept for a bounded window (in memory only).
 *
 * <p>The input rate is how fast the partitions' log-end offsets advanced (records arriving in Kafka); the process
 * rate is how fast the pipeline committed records. Lag grows while input outruns processing, as in Spark's
 * streaming tab. Rates are never negative: a rebalance that drops partitions is not counted as negative input.
 *
 * <p>Each sample's rates are averaged over the {@code rateWindow} before it, not over the last sampling period:
 * a pipeline commits once per trigger interval, so with samples every 2 s and a 5 s trigger most periods see no
 * commit at all, and a per-period rate would read 0 for a pipeline committing thousands of rows a second.
 */
final class LagHistory {

    /**
     * @param epochMillis when it was taken
     * @param totalLag records in Kafka not yet in the table, -1 before the lag is known
     * @param inputRowsPerSecond records arriving per second over the rate window before this sample
     * @param processedRowsPerSecond records committed per second over the rate window before this sample
     * @param freshnessSeconds how old the newest committed record was at this sample, null when unknown
     * @param objectivePercent the share of records in time over the freshness objective's window at this sample,
     *     in percent; null without an objective or before any record was judged
     */
    record Sample(long epochMillis, long totalLag, double inputRowsPerSecond, double processedRowsPerSecond,
                  Double freshnessSeconds, Double objectivePercent) {
    }

    private final int capacity;
    private final long rateWindowMillis;
    private final Deque<Sample> samples = new ArrayDeque<>();
    /** Running totals at each kept sample, oldest first, parallel to {@link #samples}. */
    private final Deque<Totals> totals = new ArrayDeque<>();
    private long previousLogEnd;
    private long previousCommitted;
    private long arrived;
    private long committed;

    /** Records arrived and committed since the history began, counting only advances, at one sample's time. */
    private record Totals(long epochMillis, long arrived, long committed) {
    }

    /**
     * @param capacity samples kept, oldest dropped first
     * @param rateWindow how far back each sample's rates look; longer than a trigger interval for steady figures
     */
    LagHistory(int capacity, Duration rateWindow) {
        this.capacity = capacity;
        this.rateWindowMillis = rateWindow.toMillis();
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
        if (!totals.isEmpty()) {
            // Only advances count: a rebalance that drops partitions, or a restarted run whose committed count
            // starts again at 0, lowers the sums without anything having gone backwards.
            arrived += Math.max(0, logEnd - previousLogEnd);
            committed += Math.max(0, status.recordsCommitted() - previousCommitted);
        }
        previousLogEnd = logEnd;
        previousCommitted = status.recordsCommitted();
        Totals now = new Totals(nowMillis, arrived, committed);
        Totals base = windowStart(nowMillis);
        double input = 0;
        double processed = 0;
        if (base != null && nowMillis > base.epochMillis()) {
            double seconds = (nowMillis - base.epochMillis()) / 1000.0;
            input = (now.arrived() - base.arrived()) / seconds;
            processed = (now.committed() - base.committed()) / seconds;
        }
        totals.addLast(now);
        Duration freshness = status.freshness(Instant.ofEpochMilli(nowMillis));
        FreshnessCompliance objective = status.freshnessObjective();
        samples.addLast(new Sample(nowMillis, lagKnown ? status.totalLag() : -1, input, processed,
                freshness == null ? null : freshness.toMillis() / 1000.0,
                objective == null || objective.records() == 0 ? null : objective.ratio() * 100));
        while (samples.size() > capacity) {
            samples.removeFirst();
            totals.removeFirst();
        }
    }

    /** The oldest kept totals no older than the rate window, or the newest if all are older; null when empty. */
    private Totals windowStart(long nowMillis) {
        Totals start = null;
        for (Totals t : totals) {
            start = t;
            if (t.epochMillis() >= nowMillis - rateWindowMillis) {
                break;
            }
        }
        return start;
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
