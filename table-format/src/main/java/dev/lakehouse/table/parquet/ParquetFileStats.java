package dev.lakehouse.table.parquet;

import dev.lakehouse.table.TableSchemas;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.api.Binary;

/**
 * Builds a data file's Delta statistics ({@code numRecords}, {@code minValues}, {@code maxValues},
 * {@code nullCount}) from the statistics Parquet already keeps in the file footer: no second pass over the data.
 *
 * <p>Rules, matching what Spark and Trino write and trust for data skipping:
 * <ul>
 *   <li>Leaf columns reached through structs only (nothing inside arrays or maps).</li>
 *   <li>min/max for numbers, dates, timestamps, decimals and strings; not for booleans and binary.</li>
 *   <li>Timestamps as ISO-8601 UTC with milliseconds; the max is rounded <em>up</em> to the millisecond so it is
 *       never below the true maximum. Dates as {@code yyyy-MM-dd}.</li>
 *   <li>Strings: min cut to 32 characters (a prefix is still a lower bound); a max longer than 32 characters is
 *       left out, because a cut max would be wrong.</li>
 *   <li>NaN and infinities are left out (JSON cannot hold them). A column whose footer lacks a statistic simply
 *       has none in the JSON: readers then treat it as unknown, never as a value.</li>
 * </ul>
 */
final class ParquetFileStats {

    static final int STRING_PREFIX = 32;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(java.time.ZoneOffset.UTC);

    private ParquetFileStats() {
    }

    static long rowCount(ParquetMetadata footer) {
        return footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
    }

    static String toDeltaJson(ParquetMetadata footer, Schema fileSchema) {
        long rows = rowCount(footer);
        Map<String, Statistics<?>> merged = mergedStatistics(footer);
        ObjectNode root = JSON.createObjectNode();
        root.put("numRecords", rows);
        ObjectNode min = root.putObject("minValues");
        ObjectNode max = root.putObject("maxValues");
        ObjectNode nulls = root.putObject("nullCount");
        addRecord(fileSchema, "", merged, rows, min, max, nulls);
        return root.toString();
    }

    private static Map<String, Statistics<?>> mergedStatistics(ParquetMetadata footer) {
        Map<String, Statistics<?>> merged = new HashMap<>();
        Map<String, Boolean> complete = new HashMap<>();
        for (BlockMetaData block : footer.getBlocks()) {
            for (ColumnChunkMetaData column : block.getColumns()) {
                String path = column.getPath().toDotString();
                Statistics<?> stats = column.getStatistics();
                if (stats == null || stats.isEmpty() && block.getRowCount() > 0 && !stats.isNumNullsSet()) {
                    complete.put(path, false);
                    continue;
                }
                complete.putIfAbsent(path, true);
                Statistics<?> acc = merged.get(path);
                if (acc == null) {
                    acc = Statistics.createStats(column.getPrimitiveType());
                    merged.put(path, acc);
                }
                acc.mergeStatistics(stats);
            }
        }
        complete.forEach((path, ok) -> {
            if (!ok) {
                merged.remove(path);
            }
        });
        return merged;
    }

    private static void addRecord(Schema record, String prefix, Map<String, Statistics<?>> stats, long rows,
                                  ObjectNode min, ObjectNode max, ObjectNode nulls) {
        for (Schema.Field field : record.getFields()) {
            String path = prefix.isEmpty() ? field.name() : prefix + "." + field.name();
            List<Schema> branches = TableSchemas.nonNullBranches(field.schema());
            if (branches.size() == 1) {
                addColumn(field.name(), branches.get(0), path, stats, rows, min, max, nulls);
            } else {
                // parquet-avro writes a multi-type union as a group of member0..n.
                ObjectNode minChild = JSON.createObjectNode();
                ObjectNode maxChild = JSON.createObjectNode();
                ObjectNode nullChild = JSON.createObjectNode();
                for (int i = 0; i < branches.size(); i++) {
                    addColumn("member" + i, branches.get(i), path + ".member" + i, stats, rows, minChild, maxChild,
                            nullChild);
                }
                attach(field.name(), minChild, maxChild, nullChild, min, max, nulls);
            }
        }
    }

    private static void addColumn(String name, Schema type, String path, Map<String, Statistics<?>> stats, long rows,
                                  ObjectNode min, ObjectNode max, ObjectNode nulls) {
        if (type.getType() == Schema.Type.RECORD) {
            ObjectNode minChild = JSON.createObjectNode();
            ObjectNode maxChild = JSON.createObjectNode();
            ObjectNode nullChild = JSON.createObjectNode();
            addRecord(type, path, stats, rows, minChild, maxChild, nullChild);
            attach(name, minChild, maxChild, nullChild, min, max, nulls);
            return;
        }
        if (type.getType() == Schema.Type.ARRAY || type.getType() == Schema.Type.MAP) {
            return;
        }
        Statistics<?> s = stats.get(path);
        if (s == null) {
            return;
        }
        if (s.isNumNullsSet()) {
            nulls.put(name, s.getNumNulls());
        }
        if (!s.hasNonNullValue()) {
            return;
        }
        putValue(min, name, type, s.genericGetMin(), false);
        putValue(max, name, type, s.genericGetMax(), true);
    }

    private static void attach(String name, ObjectNode minChild, ObjectNode maxChild, ObjectNode nullChild,
                               ObjectNode min, ObjectNode max, ObjectNode nulls) {
        if (!minChild.isEmpty()) {
            min.set(name, minChild);
        }
        if (!maxChild.isEmpty()) {
            max.set(name, maxChild);
        }
        if (!nullChild.isEmpty()) {
            nulls.set(name, nullChild);
        }
    }

    private static void putValue(ObjectNode target, String name, Schema type, Object value, boolean isMax) {
        LogicalType logical = type.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            // Stored as INT32, INT64 or fixed bytes (ParquetFileSchema); files of older releases hold binary.
            BigInteger unscaled = value instanceof Binary binary ? new BigInteger(binary.getBytes())
                    : BigInteger.valueOf(((Number) value).longValue());
            target.put(name, new BigDecimal(unscaled, decimal.getScale()));
            return;
        }
        switch (type.getType()) {
            case INT -> {
                int v = (Integer) value;
                if (logical instanceof LogicalTypes.Date) {
                    target.put(name, LocalDate.ofEpochDay(v).toString());
                } else {
                    target.put(name, v);
                }
            }
            case LONG -> {
                long v = (Long) value;
                if (logical instanceof LogicalTypes.TimestampMillis) {
                    target.put(name, TIMESTAMP.format(Instant.ofEpochMilli(v)));
                } else if (logical instanceof LogicalTypes.TimestampMicros) {
                    long millis = isMax ? Math.floorDiv(v + 999, 1000) : Math.floorDiv(v, 1000);
                    target.put(name, TIMESTAMP.format(Instant.ofEpochMilli(millis)));
                } else {
                    target.put(name, v);
                }
            }
            case FLOAT -> {
                float v = (Float) value;
                if (Float.isFinite(v)) {
                    target.put(name, v);
                }
            }
            case DOUBLE -> {
                double v = (Double) value;
                if (Double.isFinite(v)) {
                    target.put(name, v);
                }
            }
            case STRING, ENUM -> {
                String v = ((Binary) value).toStringUsingUTF8();
                if (v.codePointCount(0, v.length()) <= STRING_PREFIX) {
                    target.put(name, v);
                } else if (!isMax) {
                    target.put(name, v.substring(0, v.offsetByCodePoints(0, STRING_PREFIX)));
                }
            }
            default -> {
                // Booleans, bytes and fixed: no min/max, as Delta writers do.
            }
        }
    }
}
