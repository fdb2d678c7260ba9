package dev.lakehouse.compaction;

import dev.lakehouse.table.LakeTable;
import java.util.List;

/**
 * How a table is compacted.
 *
 * @param targetFileBytes the size output files aim for (groups are packed up to it)
 * @param smallFileBytes files below this size are candidates; files at or above it are left alone
 * @param minInputFiles a partition with fewer candidates is skipped, and a group of fewer files is not rewritten
 *        (rewriting two medium files gains little and costs I/O)
 * @param sortBy columns (dotted paths for nested ones) each group's output is sorted by, ascending with nulls
 *        first; empty for none. Sorted output gives each file a narrow range of these columns in its statistics,
 *        so engines skip files that cannot hold what a query asks for.
 * @param readParallelism input files opened and decompressed (decoded too, for a sorted group) at once
 * @param sortMemoryBytes rows held in memory to sort before they are spilled to a local sorted run
 * @param writeParallelism output files written at once by an unsorted rewrite of a group large enough for each
 *        writer to fill at least two files of the table's target size (see {@link LakeTable#copyRows}); 1 writes
 *        one file at a time
 * @param sortByTableKey whether output is sorted by the key columns the table recorded at its creation
 *        ({@link dev.lakehouse.table.TableSnapshot#keyColumns()}) when {@code sortBy} is empty: a keyed table whose
 *        key was taken from the Kafka key, which no configuration names
 */
public record CompactionSettings(long targetFileBytes, long smallFileBytes, int minInputFiles, List<String> sortBy,
                                 int readParallelism, long sortMemoryBytes, int writeParallelism,
                                 boolean sortByTableKey) {

    public CompactionSettings {
        sortBy = List.copyOf(sortBy);
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
        if (readParallelism < 1) {
            throw new IllegalArgumentException("read parallelism must be at least 1, got " + readParallelism);
        }
        if (writeParallelism < 1) {
            throw new IllegalArgumentException("write parallelism must be at least 1, got " + writeParallelism);
        }
        if (sortMemoryBytes < 1 << 20) {
            throw new IllegalArgumentException("sort memory must be at least 1 MB, got " + sortMemoryBytes);
        }
    }

    /** Unsorted, with the default read and write parallelism and sort memory. */
    public CompactionSettings(long targetFileBytes, long smallFileBytes, int minInputFiles) {
        this(targetFileBytes, smallFileBytes, minInputFiles, List.of(), defaultReadParallelism(),
                defaultSortMemoryBytes(), defaultWriteParallelism(), false);
    }

    /** Files below 3/4 of the target are small; at least 5 of them per partition make it worth a rewrite. */
    public static CompactionSettings forTarget(long targetFileBytes) {
        return new CompactionSettings(targetFileBytes, Math.max(1, targetFileBytes * 3 / 4), 5);
    }

    /** These settings with output sorted by {@code columns}. */
    public CompactionSettings sortedBy(List<String> columns) {
        return new CompactionSettings(targetFileBytes, smallFileBytes, minInputFiles, columns, readParallelism,
                sortMemoryBytes, writeParallelism, sortByTableKey);
    }

    /** These settings sorting by the table's recorded key when no sort columns are given ({@link #sortByTableKey}). */
    public CompactionSettings sortedByTableKey() {
        return new CompactionSettings(targetFileBytes, smallFileBytes, minInputFiles, sortBy, readParallelism,
                sortMemoryBytes, writeParallelism, true);
    }

    /**
     * The settings for a table: with {@link #sortByTableKey} and no sort columns, sorted by the key columns the
     * table recorded (unsorted when it recorded none).
     */
    public CompactionSettings forTable(dev.lakehouse.table.TableSnapshot table) {
        return sortByTableKey && sortBy.isEmpty() && !table.keyColumns().isEmpty()
                ? sortedBy(table.keyColumns()) : this;
    }

    /** These settings with {@code threads} reading input files at once. */
    public CompactionSettings readingWith(int threads) {
        return new CompactionSettings(targetFileBytes, smallFileBytes, minInputFiles, sortBy, threads,
                sortMemoryBytes, writeParallelism, sortByTableKey);
    }

    /** These settings with {@code bytes} of rows sorted in memory before spilling. */
    public CompactionSettings sortingIn(long bytes) {
        return new CompactionSettings(targetFileBytes, smallFileBytes, minInputFiles, sortBy, readParallelism, bytes,
                writeParallelism, sortByTableKey);
    }

    /** These settings with up to {@code threads} output files written at once. */
    public CompactionSettings writingWith(int threads) {
        return new CompactionSettings(targetFileBytes, smallFileBytes, minInputFiles, sortBy, readParallelism,
                sortMemoryBytes, threads, sortByTableKey);
    }

    /** One reader per core, at most four: decoding is CPU work, and the writer needs a core too. */
    static int defaultReadParallelism() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Two writers on a machine of two or more cores: Parquet encoding is what one thread cannot keep up with, and
     * each writer buffers a row group, so more writers cost memory that compaction shares with ingestion.
     */
    static int defaultWriteParallelism() {
        return Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    }

    /** An eighth of the heap, at least 32 MB: compaction shares the JVM with ingestion. */
    static long defaultSortMemoryBytes() {
        return Math.max(32L << 20, Runtime.getRuntime().maxMemory() / 8);
    }
}
