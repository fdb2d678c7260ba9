package dev.lakehouse.compaction;

/**
 * How a table is compacted.
 *
 * @param targetFileBytes the size output files aim for (groups are packed up to it)
 * @param smallFileBytes files below this size are candidates; files at or above it are left alone
 * @param minInputFiles a partition with fewer candidates is skipped, and a group of fewer files is not rewritten
 *        (rewriting two medium files gains little and costs I/O)
 */
public record CompactionSettings(long targetFileBytes, long smallFileBytes, int minInputFiles) {

    public CompactionSettings {
        if (targetFileBytes < 1) {
            throw new IllegalArgumentException("target file size must be positive, got " + targetFileBytes);
        }
        if (smallFileBytes < 1 || smallFileBytes > targetFileBytes) {
            throw new IllegalArgumentException("small-file threshold must be between 1 byte and the target file size ("
                    + targetFileBytes + "), got " + smallFileBytes);
        }
        if (minInputFiles < 2) {
            throw new IllegalArgumentException("min input files must be at least 2, got " + minInputFiles);
        }
    }

    /** Files below 3/4 of the target are small; at least 5 of them per partition make it worth a rewrite. */
    public static CompactionSettings forTarget(long targetFileBytes) {
        return new CompactionSettings(targetFileBytes, Math.max(1, targetFileBytes * 3 / 4), 5);
    }
}
