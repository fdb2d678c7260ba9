package dev.lakehouse.table;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * The independent reader of the table tests: Delta Kernel reads the log and the Parquet files with its own code
 * (no delta-standalone, no parquet-avro), as a downstream engine would. Rows come back as maps of plain Java
 * values: structs as maps, arrays as lists, dates as epoch days (int), timestamps as epoch micros (long).
 */
public final class KernelReader {

    public record Result(long version, StructType schema, List<String> partitionColumns, List<Map<String, Object>> rows) {
    }

    private KernelReader() {
    }

    public static Result read(String tablePath) {
        return read(tablePath, Map.of());
    }

    /** Reads with these Hadoop file-system settings (for example {@code fs.s3a.*} for an s3a:// table). */
    public static Result read(String tablePath, Map<String, String> hadoopProperties) {
        return read(tablePath, hadoopProperties, null, new int[1]);
    }

    /**
     * The rows of the files a scan with {@code column = value} reads after data skipping by the files' statistics
     * (every row of those files: Kernel skips files, the caller filters rows).
     *
     * @param filesRead set to the number of files read
     */
    public static Result readWhereEquals(String tablePath, String column, String value, int[] filesRead) {
        return read(tablePath, Map.of(), new io.delta.kernel.expressions.Predicate("=",
                new io.delta.kernel.expressions.Column(column), io.delta.kernel.expressions.Literal.ofString(value)),
                filesRead);
    }

    private static Result read(String tablePath, Map<String, String> hadoopProperties,
                               io.delta.kernel.expressions.Predicate filter, int[] filesRead) {
        Configuration configuration = new Configuration();
        hadoopProperties.forEach(configuration::set);
        Engine engine = DefaultEngine.create(configuration);
        try {
            Snapshot snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
            io.delta.kernel.ScanBuilder builder = snapshot.getScanBuilder(engine);
            if (filter != null) {
                builder = builder.withFilter(engine, filter);
            }
            Scan scan = builder.build();
            Row scanState = scan.getScanState(engine);
            StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
                while (scanFiles.hasNext()) {
                    try (CloseableIterator<Row> fileRows = scanFiles.next().getRows()) {
                        while (fileRows.hasNext()) {
                            Row scanFile = fileRows.next();
                            filesRead[0]++;
                            FileStatus file = InternalScanFileUtils.getAddFileStatus(scanFile);
                            CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                                    .readParquetFiles(Utils.singletonCloseableIterator(file), physicalSchema, Optional.empty());
                            try (CloseableIterator<FilteredColumnarBatch> data =
                                         Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
                                while (data.hasNext()) {
                                    try (CloseableIterator<Row> batchRows = data.next().getRows()) {
                                        while (batchRows.hasNext()) {
                                            rows.add(toMap(batchRows.next()));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return new Result(snapshot.getVersion(engine), snapshot.getSchema(engine),
                    snapshot.getPartitionColumnNames(engine), rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (io.delta.kernel.exceptions.TableNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many files a scan with {@code column > value} plans: data skipping by the files' statistics. */
    public static int filesScannedWhereGreaterThan(String tablePath, String column, long value) {
        Engine engine = DefaultEngine.create(new Configuration());
        try {
            Snapshot snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
            io.delta.kernel.expressions.Predicate predicate = new io.delta.kernel.expressions.Predicate(">",
                    new io.delta.kernel.expressions.Column(column), io.delta.kernel.expressions.Literal.ofLong(value));
            Scan scan = snapshot.getScanBuilder(engine).withFilter(engine, predicate).build();
            int files = 0;
            try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
                while (scanFiles.hasNext()) {
                    try (CloseableIterator<Row> rows = scanFiles.next().getRows()) {
                        while (rows.hasNext()) {
                            rows.next();
                            files++;
                        }
                    }
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (io.delta.kernel.exceptions.TableNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> toMap(Row row) {
        Map<String, Object> map = new LinkedHashMap<>();
        StructType schema = row.getSchema();
        for (int i = 0; i < schema.length(); i++) {
            StructField field = schema.at(i);
            map.put(field.getName(), row.isNullAt(i) ? null : value(row, i, field.getDataType()));
        }
        return map;
    }

    private static Object value(Row row, int i, DataType type) {
        String name = type.toString();
        if (type instanceof StructType) {
            return toMap(row.getStruct(i));
        }
        if (type instanceof ArrayType array) {
            return list(row.getArray(i), array.getElementType());
        }
        if (type instanceof MapType mapType) {
            return map(row.getMap(i), mapType);
        }
        return switch (name) {
            case "boolean" -> row.getBoolean(i);
            case "integer", "date" -> row.getInt(i);
            case "long", "timestamp" -> row.getLong(i);
            case "float" -> row.getFloat(i);
            case "double" -> row.getDouble(i);
            case "string" -> row.getString(i);
            case "binary" -> row.getBinary(i);
            default -> name.toLowerCase().startsWith("decimal") ? row.getDecimal(i) : "unsupported:" + name;
        };
    }

    private static List<Object> list(ArrayValue array, DataType elementType) {
        List<Object> out = new ArrayList<>();
        ColumnVector elements = array.getElements();
        for (int i = 0; i < array.getSize(); i++) {
            out.add(elements.isNullAt(i) ? null : vectorValue(elements, i, elementType));
        }
        return out;
    }

    private static Map<Object, Object> map(MapValue value, MapType type) {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < value.getSize(); i++) {
            Object v = value.getValues().isNullAt(i) ? null : vectorValue(value.getValues(), i, type.getValueType());
            out.put(vectorValue(value.getKeys(), i, type.getKeyType()), v);
        }
        return out;
    }

    private static Object vectorValue(ColumnVector vector, int i, DataType type) {
        if (type instanceof StructType struct) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int c = 0; c < struct.length(); c++) {
                ColumnVector child = vector.getChild(c);
                map.put(struct.at(c).getName(), child.isNullAt(i) ? null : vectorValue(child, i, struct.at(c).getDataType()));
            }
            return map;
        }
        return switch (type.toString()) {
            case "boolean" -> vector.getBoolean(i);
            case "integer", "date" -> vector.getInt(i);
            case "long", "timestamp" -> vector.getLong(i);
            case "float" -> vector.getFloat(i);
            case "double" -> vector.getDouble(i);
            case "string" -> vector.getString(i);
            default -> "unsupported:" + type;
        };
    }
}
