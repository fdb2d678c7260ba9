package dev.lakehouse.ingest;

import java.time.Clock;

/**
 * When a lane's open batch may close by time, and how long its next poll may wait, given the sealed batches whose
 * commit has not come back yet. A due batch closes only while no sealed batch waits for its commit: when commits
 * take longer than the trigger (a backlog after a restart, slow storage), a due batch keeps growing until the writer
 * is free or a size limit closes it, so batches grow when the pipeline is behind and never shrink to a chunk each:
 * fewer, larger commits catch up at the rate of a drain. Poll thread only.
 */
final class SealTiming {

    private final BatchTrigger trigger;
    private final Clock clock;
    /** Sealed batches handed to the writer whose outcome has not come back yet. */
    private int awaitingCommit;

    SealTiming(BatchTrigger trigger, Clock clock) {
        this.trigger = trigger;
        this.clock = clock;
    }

    /** A batch was sealed and handed to the writer. */
    void sealed() {
        awaitingCommit++;
    }

    /** The writer's outcome of a sealed batch came back. */
    void outcome() {
        awaitingCommit = Math.max(0, awaitingCommit - 1);
    }

    /**
     * The writer handled everything handed to it: a batch it dropped after a failure has no outcome, so the count
     * starts again from zero.
     */
    void writerIdle() {
        awaitingCommit = 0;
    }

    /**
     * Whether the open batch may close now, while no sealed batch waits for its commit: because it is due by time
     * (see the class comment), or early because the process's open data files passed their budget and this table's
     * hold the most ({@code largestOverBudget}; the bytes that made it the largest are then the open batch's, so an
     * early batch is never followed by a tiny one).
     */
    boolean mayClose(BatchTrigger.OpenBatch open, boolean largestOverBudget) {
        return awaitingCommit == 0 && (trigger.sealOnTime(open, clock.millis())
                || largestOverBudget && !open.isEmpty());
    }

    /**
     * How long the next poll may wait: up to {@code quietMillis} when nothing is open or in flight, up to
     * {@code idleMillis} otherwise, less when the open batch falls due sooner (not while paused), and
     * {@code busyWriterMillis} when it is due but waits for the writer (no busy loop).
     */
    long pollTimeoutMillis(BatchTrigger.OpenBatch open, boolean nothingOpen, boolean paused, long quietMillis,
                           long idleMillis, long busyWriterMillis) {
        long idle = nothingOpen && awaitingCommit == 0 ? quietMillis : idleMillis;
        long timeout = paused ? idle : Math.min(idle, trigger.millisUntilDue(open, clock.millis()));
        return timeout == 0 && awaitingCommit > 0 ? busyWriterMillis : timeout;
    }
}
