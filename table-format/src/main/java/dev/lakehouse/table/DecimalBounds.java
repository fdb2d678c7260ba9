package dev.lakehouse.table;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Whether a record's decimals fit their columns: a data file stores a decimal of precision p in a column that holds
 * exactly p digits (the layout Spark and Delta read), so a value with more digits (which an Avro producer can send:
 * Avro does not check) cannot be written unchanged. Ingestion checks each row here and turns such a record into a
 * dead letter naming the field, instead of failing the batch in the writer.
 *
 * <p>Which parts of a schema hold decimals is worked out once per schema instance and remembered, so rows of a
 * schema without decimals cost one lookup. Not thread-safe: one instance per thread that checks rows.
 */
public final class DecimalBounds {

    private final Map<Schema, Boolean> hasDecimals = new IdentityHashMap<>();

    /** Whether {@code schema} has a decimal anywhere. */
    public boolean hasDecimals(Schema schema) {
        Boolean known = hasDecimals.get(schema);
        if (known == null) {
            known = scan(schema, new IdentityHashMap<>());
            hasDecimals.put(schema, known);
        }
        return known;
    }

    /**
     * The dotted path of the first decimal in {@code record} with more digits than its precision, with the
     * precision, or null when every decimal fits.
     */
    public String firstOutOfRange(GenericRecord record) {
        return hasDecimals(record.getSchema()) ? check(record.getSchema(), record, "") : null;
    }

    private static boolean scan(Schema schema, IdentityHashMap<Schema, Boolean> seen) {
        if (seen.put(schema, Boolean.TRUE) != null) {
            return false;
        }
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
            return true;
        }
        return switch (schema.getType()) {
            case RECORD -> schema.getFields().stream().anyMatch(f -> scan(f.schema(), seen));
            case ARRAY -> scan(schema.getElementType(), seen);
            case MAP -> scan(schema.getValueType(), seen);
            case UNION -> schema.getTypes().stream().anyMatch(t -> scan(t, seen));
            default -> false;
        };
    }

    private String check(Schema schema, Object value, String path) {
        if (value == null) {
            return null;
        }
        if (schema.getType() == Schema.Type.UNION) {
            int branch = GenericData.get().resolveUnion(schema, value);
            return check(schema.getTypes().get(branch), value, path);
        }
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal decimal) {
            BigInteger unscaled = value instanceof ByteBuffer buffer ? unscaled(buffer)
                    : value instanceof GenericFixed fixed ? new BigInteger(fixed.bytes())
                    : value instanceof java.math.BigDecimal big ? big.unscaledValue() : null;
            if (unscaled != null && unscaled.abs().compareTo(BigInteger.TEN.pow(decimal.getPrecision())) >= 0) {
                return (path.isEmpty() ? "(root)" : path) + " (decimal(" + decimal.getPrecision() + ","
                        + decimal.getScale() + ") holds at most " + decimal.getPrecision() + " digits)";
            }
            return null;
        }
        switch (schema.getType()) {
            case RECORD -> {
                GenericRecord record = (GenericRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    if (hasDecimals(field.schema())) {
                        String found = check(field.schema(), record.get(field.pos()),
                                path.isEmpty() ? field.name() : path + "." + field.name());
                        if (found != null) {
                            return found;
                        }
                    }
                }
                return null;
            }
            case ARRAY -> {
                if (!hasDecimals(schema.getElementType())) {
                    return null;
                }
                int index = 0;
                for (Object element : (Collection<?>) value) {
                    String found = check(schema.getElementType(), element, path + "[" + index++ + "]");
                    if (found != null) {
                        return found;
                    }
                }
                return null;
            }
            case MAP -> {
                if (!hasDecimals(schema.getValueType())) {
                    return null;
                }
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    String found = check(schema.getValueType(), entry.getValue(), path + "[" + entry.getKey() + "]");
                    if (found != null) {
                        return found;
                    }
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static BigInteger unscaled(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes.length == 0 ? BigInteger.ZERO : new BigInteger(bytes);
    }
}
