package dev.lakehouse.ingest.status;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Judges a table's committed batches against its {@link FreshnessObjective} over a sliding window: per commit, how
 * many of the batch's records became visible within the objective's time of their timestamp. Memory is one entry per
 * commit in the window (an hour of 1 s commits: 3,600 entries). Thread-safe: the writer adds, any thread reads.
 */
public final class FreshnessTracker {

    private record Commit(long atMillis, long records, long fresh) {
    }

    private final FreshnessObjective objective;
    private final Deque<Commit> commits = new ArrayDeque<>();
    private long records;
    private long fresh;

    public FreshnessTracker(FreshnessObjective objective) {
        this.objective = objective;
    }

    /** Judges a committed batch's records (their timestamps) by the time of its commit. */
    public synchronized void committed(long commitMillis, RecordTimes times) {
        if (times.total() == 0) {
            return;
        }
        long inTime = times.atOrAfter(commitMillis - objective.within().toMillis());
        commits.addLast(new Commit(commitMillis, times.total(), inTime));
        records += times.total();
        fresh += inTime;
        forgetBefore(commitMillis - objective.window().toMillis());
    }

    /**
     * The compliance at {@code nowMillis}.
     *
     * @param newestCommittedMillis the largest timestamp committed, or negative when none
     * @param uncommitted records in Kafka not yet committed (the lag), counted as late once the newest committed
     *     record is older than the objective's time
     */
    public synchronized FreshnessCompliance compliance(long nowMillis, long newestCommittedMillis, long uncommitted) {
        forgetBefore(nowMillis - objective.window().toMillis());
        boolean behind = newestCommittedMillis >= 0 && nowMillis - newestCommittedMillis > objective.within().toMillis();
        long pendingLate = behind ? Math.max(0, uncommitted) : 0;
        return new FreshnessCompliance(objective, records + pendingLate, fresh, pendingLate);
    }

    private void forgetBefore(long oldestMillis) {
        while (!commits.isEmpty() && commits.peekFirst().atMillis() < oldestMillis) {
            Commit old = commits.removeFirst();
            records -= old.records();
            fresh -= old.fresh();
        }
    }
}
