package dev.lakehouse.table;

import java.util.List;

/**
 * What a vacuum deleted (or, in a dry run, would delete).
 *
 * @param deletedPaths files, relative to the table root
 * @param deletedBytes their total size
 * @param liveFiles files of the latest snapshot (always kept)
 * @param retainedRemovedFiles files removed from the table within the retention window (kept for time travel)
 * @param dryRun whether nothing was deleted
 */
public record VacuumResult(List<String> deletedPaths, long deletedBytes, int liveFiles, int retainedRemovedFiles,
                           boolean dryRun) {
    public VacuumResult {
        deletedPaths = List.copyOf(deletedPaths);
    }
}
