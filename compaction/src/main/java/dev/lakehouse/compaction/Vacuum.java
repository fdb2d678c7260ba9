package dev.lakehouse.compaction;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.VacuumResult;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes files no retained table version needs ({@link LakeTable#vacuum}), refusing a retention shorter than
 * {@link #MIN_RETENTION} unless forced: a short retention breaks time travel and, below the longest batch or
 * compaction, could delete files a writer is about to commit.
 */
public final class Vacuum {

    /** The default and the minimum without force, as in Delta Lake. */
    public static final Duration MIN_RETENTION = Duration.ofDays(7);

    private Vacuum() {
    }

    /**
     * @throws IllegalArgumentException if {@code retention} is below {@link #MIN_RETENTION} and not forced
     */
    public static MaintenanceRun run(LakeTable table, Duration retention, boolean dryRun, boolean force) {
        if (retention.compareTo(MIN_RETENTION) < 0 && !force) {
            throw new IllegalArgumentException("a vacuum retention of " + retention + " is below the minimum of "
                    + MIN_RETENTION.toDays() + " days: time travel to recent versions would break and files of "
                    + "running writers could be deleted. Use at least 7 days, or force it knowingly.");
        }
        Instant started = table.options().clock().instant();
        long startNanos = System.nanoTime();
        VacuumResult result = table.vacuum(retention, dryRun);
        return new MaintenanceRun(table.location(), "VACUUM", started, Duration.ofNanos(System.nanoTime() - startNanos),
                dryRun ? "DRY_RUN" : "VACUUMED", result.deletedPaths().size(), result.deletedBytes(), 0, 0, 0,
                (dryRun ? "would delete " : "deleted ") + result.deletedPaths().size() + " files; kept "
                        + result.liveFiles() + " live and " + result.retainedRemovedFiles()
                        + " removed within the retention of " + retention);
    }
}
