package dev.lakehouse.compaction;

import java.time.Duration;
import java.time.Instant;

/**
 * One maintenance run of a table (compaction or vacuum), as recorded for the console and logs.
 *
 * @param table the table location
 * @param kind what the run did
 * @param startedAt when it started
 * @param duration how long it took
 * @param outcome how it ended
 * @param filesBefore files rewritten or deleted
 * @param bytesBefore their bytes
 * @param filesAfter files written (compaction)
 * @param bytesAfter their bytes
 * @param commits table versions committed
 * @param detail a human summary, or the error
 */
public record MaintenanceRun(String table, MaintenanceKind kind, Instant startedAt, Duration duration,
                             MaintenanceOutcome outcome,
                             int filesBefore, long bytesBefore, int filesAfter, long bytesAfter, int commits,
                             String detail) {

    /** Rewritten or deleted megabytes per second. */
    public double megabytesPerSecond() {
        return bytesBefore / 1_048_576.0 / Math.max(0.001, duration.toNanos() / 1e9);
    }
}
