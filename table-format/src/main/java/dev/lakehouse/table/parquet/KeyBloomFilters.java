package dev.lakehouse.table.parquet;

import dev.lakehouse.table.DataFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.bloomfilter.BloomFilter;
import org.apache.parquet.hadoop.BloomFilterReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Parquet bloom filters on a keyed table's key columns: written into each row group of every data file of the table
 * (ingestion's, merges' and compaction's), and read by a merge to leave out the files that cannot hold any of a
 * batch's keys, where the key columns' min/max statistics cannot tell (random ids, UUIDs, keys of many ranges). They
 * are Parquet's own split-block filters, so other engines use them too (Spark's and Trino's row-group filtering).
 *
 * <p>Filters are adaptive: several candidate sizes are filled while a file is written, and the smallest that holds
 * the distinct keys written at a {@value #FALSE_POSITIVES} false-positive rate is kept, at most {@value #MAX_BYTES}
 * bytes per column and row group (a small batch file gets a small filter; past some 300,000 distinct keys a
 * row group's filter saturates and leaves out fewer files). Only columns stored as strings, ints or longs get
 * filters.
 */
public final class KeyBloomFilters {

    /** The largest filter of a column in a row group: its bytes are held in memory while the file is written. */
    static final int MAX_BYTES = 1 << 20;
    /** Candidate sizes, halving from {@link #MAX_BYTES}: the smallest is 8 KiB. */
    static final int CANDIDATES = 8;
    /**
     * The false-positive rate a filter is sized for: a file is left out only if every one of a batch's keys misses,
     * and a batch probes thousands, so the rate must be far below the usual 1 % (at 1 %, 21,000 probes make a
     * false positive in every file). About 25 bits per distinct key.
     */
    static final double FALSE_POSITIVES = 1e-5;

    private KeyBloomFilters() {
    }

    /** The key columns stored in the files (not partition columns) as strings, ints or longs: those that get one. */
    static List<String> columns(Schema fileSchema, List<String> keyColumns) {
        List<String> columns = new ArrayList<>();
        for (String key : keyColumns) {
            Schema.Field field = fileSchema.getField(key);
            if (field == null) {
                continue;
            }
            Schema type = field.schema();
            if (type.isUnion()) {
                type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(type);
            }
            switch (type.getType()) {
                case STRING, INT, LONG -> columns.add(key);
                default -> {
                    // bytes, fixed, decimals and others: min/max statistics only
                }
            }
        }
        return List.copyOf(columns);
    }

    /** Sets a Parquet writer builder to write filters on {@code columns}. */
    static void configure(ParquetWriter.Builder<?, ?> builder, List<String> columns) {
        if (columns.isEmpty()) {
            return;
        }
        builder.withAdaptiveBloomFilterEnabled(true);
        builder.withMaxBloomFilterBytes(MAX_BYTES);
        for (String column : columns) {
            builder.withBloomFilterEnabled(column, true);
            builder.withBloomFilterCandidateNumber(column, CANDIDATES);
            builder.withBloomFilterFPP(column, FALSE_POSITIVES);
        }
    }

    /** Parquet properties with filters on {@code columns}, for files written column by column. */
    static ParquetProperties properties(List<String> columns) {
        ParquetProperties.Builder builder = ParquetProperties.builder();
        if (!columns.isEmpty()) {
            builder.withAdaptiveBloomFilterEnabled(true).withMaxBloomFilterBytes(MAX_BYTES);
            for (String column : columns) {
                builder.withBloomFilterEnabled(column, true).withBloomFilterCandidatesNumber(column, CANDIDATES)
                        .withBloomFilterFPP(column, FALSE_POSITIVES);
            }
        }
        return builder.build();
    }

    /**
     * Whether a data file may hold one of {@code keys}: false only when, in every row group, some key column's filter
     * rules out each key. A file, row group or column without a filter may hold any key.
     *
     * @param keyColumns the key's columns, in the order of each key's values
     * @param keys each key's values in the form a merge compares them by: a {@code Long} for int and long columns,
     *             a {@code String} for string columns; a key with a value of another form may be in any file
     * @throws UncheckedIOException if the file's footer or filters cannot be read
     */
    public static boolean mayHoldAny(Path tableRoot, DataFile file, Configuration conf, List<String> keyColumns,
                                     Collection<List<Object>> keys) {
        try (ParquetFileReader reader = ParquetFileReader.open(KnownLengthInputFile.of(tableRoot, file, conf))) {
            for (BlockMetaData rowGroup : reader.getRowGroups()) {
                Map<String, ColumnChunkMetaData> chunks = new HashMap<>();
                for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
                    chunks.put(chunk.getPath().toDotString(), chunk);
                }
                BloomFilterReader filters = reader.getBloomFilterDataReader(rowGroup);
                List<BloomFilter> byColumn = new ArrayList<>();
                List<PrimitiveType> types = new ArrayList<>();
                for (String column : keyColumns) {
                    ColumnChunkMetaData chunk = chunks.get(column);
                    BloomFilter filter = chunk == null ? null : filters.readBloomFilter(chunk);
                    byColumn.add(filter);
                    types.add(chunk == null ? null : chunk.getPrimitiveType());
                }
                for (List<Object> key : keys) {
                    if (mayHold(byColumn, types, key)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bloom filters of " + file.path(), e);
        }
    }

    private static boolean mayHold(List<BloomFilter> filters, List<PrimitiveType> types, List<Object> key) {
        for (int c = 0; c < filters.size(); c++) {
            BloomFilter filter = filters.get(c);
            if (filter == null) {
                continue;
            }
            Object value = key.get(c);
            long hash;
            switch (types.get(c).getPrimitiveTypeName()) {
                case INT32 -> {
                    if (!(value instanceof Long number)) {
                        continue;
                    }
                    if (number.longValue() != number.intValue()) {
                        return false; // an int column holds no such number
                    }
                    hash = filter.hash(number.intValue());
                }
                case INT64 -> {
                    if (!(value instanceof Long number)) {
                        continue;
                    }
                    hash = filter.hash(number.longValue());
                }
                case BINARY -> {
                    if (!(value instanceof String text)) {
                        continue;
                    }
                    hash = filter.hash(Binary.fromString(text));
                }
                default -> {
                    continue;
                }
            }
            if (!filter.findHash(hash)) {
                return false;
            }
        }
        return true;
    }
}
