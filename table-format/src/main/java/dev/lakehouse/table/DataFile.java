package dev.lakehouse.table;

import java.util.Map;
import java.util.Objects;

/**
 * A complete Parquet data file, written but not yet (or already) part of the table.
 *
 * @param path path relative to the table root, URI-encoded, as Delta's {@code add.path}
 * @param partitionValues partition column to value (null for a null value); empty for unpartitioned tables
 * @param sizeBytes file size
 * @param numRecords rows in the file
 * @param statsJson Delta statistics: {@code numRecords}, {@code minValues}, {@code maxValues}, {@code nullCount}
 * @param modificationTime epoch millis of the write
 */
public record DataFile(String path, Map<String, String> partitionValues, long sizeBytes, long numRecords,
                       String statsJson, long modificationTime) {
    public DataFile {
        Objects.requireNonNull(path, "path");
        partitionValues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(partitionValues));
    }
}
