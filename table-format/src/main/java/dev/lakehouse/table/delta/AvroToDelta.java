package dev.lakehouse.table.delta;

import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableSchemas;
import io.delta.standalone.types.ArrayType;
import io.delta.standalone.types.BinaryType;
import io.delta.standalone.types.BooleanType;
import io.delta.standalone.types.DataType;
import io.delta.standalone.types.DateType;
import io.delta.standalone.types.DecimalType;
import io.delta.standalone.types.DoubleType;
import io.delta.standalone.types.FloatType;
import io.delta.standalone.types.IntegerType;
import io.delta.standalone.types.LongType;
import io.delta.standalone.types.MapType;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import io.delta.standalone.types.TimestampType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Maps Avro schemas to Delta schemas, matching what parquet-avro writes into the data files.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>Avro</th><th>Delta</th></tr>
 *   <tr><td>boolean, int, long, float, double, string</td><td>boolean, integer, long, float, double, string</td></tr>
 *   <tr><td>date</td><td>date</td></tr>
 *   <tr><td>timestamp-millis, timestamp-micros</td><td>timestamp (UTC instants)</td></tr>
 *   <tr><td>local-timestamp-*, time-millis, time-micros</td><td>long / integer (Delta has no local-time type in the
 *       protocol versions written here; values are kept as numbers)</td></tr>
 *   <tr><td>decimal(p, s) on bytes or fixed, p &le; 38</td><td>decimal(p, s)</td></tr>
 *   <tr><td>uuid</td><td>string</td></tr>
 *   <tr><td>bytes, fixed</td><td>binary</td></tr>
 *   <tr><td>enum</td><td>string</td></tr>
 *   <tr><td>record</td><td>struct</td></tr>
 *   <tr><td>array, map</td><td>array, map&lt;string, V&gt;</td></tr>
 *   <tr><td>["null", T]</td><td>T, nullable</td></tr>
 *   <tr><td>other unions</td><td>struct of nullable {@code member0}, {@code member1}, ... (one per non-null
 *       branch, in order), as parquet-avro writes them</td></tr>
 * </table>
 *
 * <p>Every column is nullable (see {@link TableSchemas}). Recursive records, a bare null type and decimals
 * wider than 38 digits are refused with a {@link SchemaMappingException} naming the field.
 */
public final class AvroToDelta {

    private AvroToDelta() {
    }

    public static StructType toStructType(Schema record) {
        return (StructType) map(record, "", new ArrayDeque<>());
    }

    private static DataType map(Schema schema, String path, Deque<String> recordStack) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            if (decimal.getPrecision() > 38) {
                throw new SchemaMappingException(display(path), "decimal precision " + decimal.getPrecision()
                        + " exceeds Delta's maximum of 38");
            }
            return new DecimalType(decimal.getPrecision(), decimal.getScale());
        }
        return switch (schema.getType()) {
            case RECORD -> record(schema, path, recordStack);
            case ARRAY -> new ArrayType(map(schema.getElementType(), path + "[]", recordStack),
                    acceptsNull(schema.getElementType()));
            case MAP -> new MapType(new StringType(), map(schema.getValueType(), path + "{}", recordStack),
                    acceptsNull(schema.getValueType()));
            case UNION -> union(schema, path, recordStack);
            case ENUM, STRING -> new StringType();
            case BYTES, FIXED -> new BinaryType();
            case BOOLEAN -> new BooleanType();
            case INT -> logical instanceof LogicalTypes.Date ? new DateType() : new IntegerType();
            case LONG -> logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.TimestampMicros
                    ? new TimestampType() : new LongType();
            case FLOAT -> new FloatType();
            case DOUBLE -> new DoubleType();
            case NULL -> throw new SchemaMappingException(display(path), "a field of type null alone holds no "
                    + "data; make it [\"null\", <type>] or drop it");
        };
    }

    private static DataType record(Schema schema, String path, Deque<String> recordStack) {
        if (recordStack.contains(schema.getFullName())) {
            throw new SchemaMappingException(display(path), "record " + schema.getFullName()
                    + " contains itself; recursive schemas cannot become table columns");
        }
        recordStack.push(schema.getFullName());
        List<StructField> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            fields.add(new StructField(field.name(), map(field.schema(), fieldPath, recordStack), true));
        }
        recordStack.pop();
        if (fields.isEmpty()) {
            throw new SchemaMappingException(display(path), "record " + schema.getFullName()
                    + " has no fields; Delta and Parquet cannot store an empty struct");
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    private static DataType union(Schema schema, String path, Deque<String> recordStack) {
        List<Schema> branches = TableSchemas.nonNullBranches(schema);
        if (branches.isEmpty()) {
            throw new SchemaMappingException(display(path), "a union of only null holds no data");
        }
        if (branches.size() == 1) {
            return map(branches.get(0), path, recordStack);
        }
        List<StructField> members = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            members.add(new StructField("member" + i, map(branches.get(i), path + ".member" + i, recordStack), true));
        }
        return new StructType(members.toArray(new StructField[0]));
    }

    private static boolean acceptsNull(Schema schema) {
        return schema.getType() == Schema.Type.NULL || schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
    }

    private static String display(String path) {
        return path.isEmpty() ? "(root)" : path;
    }
}
