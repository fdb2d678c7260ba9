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
     * How a vacuum runs.
     *
     * @param retention how long removed and unreferenced files are kept
     * @param dryRun list what would be deleted, delete nothing
     * @param belowMinimumRetention allow a retention below {@link #MIN_RETENTION} (tests, or a table known to
     *        have no concurrent writer and no reader of older versions)
     */
    public record Options(Duration retention, boolean dryRun, boolean belowMinimumRetention) {

        /** A real vacuum with this retention, which must be at least {@link #MIN_RETENTION}. */
        public static Options of(Duration retention) {
            return new Options(retention, false, false);
        }

        /** The same, listing only. */
        public Options listOnly() {
            return new Options(retention, true, belowMinimumRetention);
        }

        /** The same, allowing a retention below the minimum. */
        public Options allowingShortRetention() {
            return new Options(retention, dryRun, true);
        }
    }

    /**
     * Vacuums the table.
     *
     * @throws IllegalArgumentException if the retention is below {@link #MIN_RETENTION} and that is not allowed
     * @throws java.io.UncheckedIOException if listing or deleting fails (see {@link LakeTable#vacuum})
     */
    public static MaintenanceRun run(LakeTable table, Options options) {
        Duration retention = options.retention();
        boolean dryRun = options.dryRun();
        if (retention.compareTo(MIN_RETENTION) < 0 && !options.belowMinimumRetention()) {
            throw new IllegalArgumentException("a vacuum retention of " + retention + " is below the minimum of "
                    + MIN_RETENTION.toDays() + " days: time travel to recent versions would break and files of "
                    + "running writers could be deleted. Use at least 7 days, or force it knowingly.");
        }
        Instant started = table.options().clock().instant();
        long startNanos = System.nanoTime();
        VacuumResult result = table.vacuum(retention, dryRun);
        return new MaintenanceRun(table.location(), MaintenanceKind.VACUUM, started, Duration.ofNanos(System.nanoTime() - startNanos),
                dryRun ? MaintenanceOutcome.DRY_RUN : MaintenanceOutcome.VACUUMED, result.deletedPaths().size(), result.deletedBytes(), 0, 0, 0,
                (dryRun ? "would delete " : "deleted ") + result.deletedPaths().size() + " files; kept "
                        + result.liveFiles() + " live and " + result.retainedRemovedFiles()
                        + " removed within the retention of " + retention);
    }
}
