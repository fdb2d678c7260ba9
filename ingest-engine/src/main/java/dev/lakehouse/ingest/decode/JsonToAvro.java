package dev.lakehouse.ingest.decode;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A JSON document as a record of an Avro schema, field by field by name (see {@link JsonRecordDecoder} for the
 * mapping). Shared by the schemaless JSON and the JSON Schema decoders. Stateless.
 */
final class JsonToAvro {

    private JsonToAvro() {
    }

    /**
     * {@code node} as a record of {@code schema}.
     *
     * @throws MismatchException naming the path of the first field that does not fit its column
     */
    static GenericRecord record(Schema schema, JsonNode node) {
        return (GenericRecord) convert(schema, node, "");
    }

    private static Object convert(Schema schema, JsonNode node, String path) {
        boolean absent = node == null || node.isNull();
        switch (schema.getType()) {
            case NULL:
                if (!absent) {
                    throw new MismatchException(path, "must be null, got " + node.getNodeType());
                }
                return null;
            case UNION:
                return convertUnion(schema, node, path);
            default:
                if (absent) {
                    throw new MismatchException(path, "is required (" + schema.getType() + ") but missing or null");
                }
                return convertPresent(schema, node, path);
        }
    }

    private static Object convertUnion(Schema union, JsonNode node, String path) {
        boolean absent = node == null || node.isNull();
        MismatchException first = null;
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                if (absent) {
                    return null;
                }
                continue;
            }
            if (absent) {
                continue;
            }
            try {
                return convertPresent(branch, node, path);
            } catch (MismatchException e) {
                first = first == null ? e : first;
            }
        }
        throw first != null ? first : new MismatchException(path, "is required but missing or null");
    }

    private static Object convertPresent(Schema schema, JsonNode node, String path) {
        LogicalType logical = schema.getLogicalType();
        switch (schema.getType()) {
            case RECORD: {
                expect(node.isObject(), path, "an object", node);
                GenericData.Record record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    String childPath = path.isEmpty() ? field.name() : path + "." + field.name();
                    record.put(field.pos(), convert(field.schema(), node.get(field.name()), childPath));
                }
                return record;
            }
            case ARRAY: {
                expect(node.isArray(), path, "an array", node);
                GenericData.Array<Object> array = new GenericData.Array<>(node.size(), schema);
                int i = 0;
                for (JsonNode element : node) {
                    array.add(convert(schema.getElementType(), element, path + "[" + i++ + "]"));
                }
                return array;
            }
            case MAP: {
                expect(node.isObject(), path, "an object", node);
                Map<String, Object> map = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    map.put(entry.getKey(), convert(schema.getValueType(), entry.getValue(),
                            path + "." + entry.getKey()));
                }
                return map;
            }
            case ENUM:
                expect(node.isTextual() && schema.hasEnumSymbol(node.asText()), path,
                        "one of " + schema.getEnumSymbols(), node);
                return new GenericData.EnumSymbol(schema, node.asText());
            case STRING:
                if (schema.getObjectProp(JsonSchemaToAvro.JSON_TEXT_PROPERTY) != null) {
                    return node.toString(); // a column of any JSON type keeps the value's JSON text
                }
                expect(node.isTextual(), path, "a string", node);
                return node.asText();
            case BOOLEAN:
                expect(node.isBoolean(), path, "true or false", node);
                return node.booleanValue();
            case INT:
                if (logical instanceof LogicalTypes.Date && node.isTextual()) {
                    try {
                        return (int) LocalDate.parse(node.asText()).toEpochDay();
                    } catch (DateTimeParseException e) {
                        throw new MismatchException(path, "must be a date like 2026-01-31, got '" + node.asText() + "'");
                    }
                }
                expect(node.isIntegralNumber() && node.canConvertToInt(), path, "an integer within int range", node);
                return node.intValue();
            case LONG:
                if (node.isTextual() && (logical instanceof LogicalTypes.TimestampMillis
                        || logical instanceof LogicalTypes.TimestampMicros)) {
                    return instant(node.asText(), logical instanceof LogicalTypes.TimestampMicros, path);
                }
                expect(node.isIntegralNumber() && node.canConvertToLong(), path, "an integer within long range", node);
                return node.longValue();
            case FLOAT:
                expect(node.isNumber(), path, "a number", node);
                return node.floatValue();
            case DOUBLE:
                expect(node.isNumber(), path, "a number", node);
                return node.doubleValue();
            case BYTES:
                if (logical instanceof LogicalTypes.Decimal decimal) {
                    return ByteBuffer.wrap(unscaled(decimal, node, path));
                }
                return ByteBuffer.wrap(base64(node, path));
            case FIXED: {
                byte[] bytes = logical instanceof LogicalTypes.Decimal decimal
                        ? signExtend(unscaled(decimal, node, path), schema.getFixedSize(), path)
                        : base64(node, path);
                if (bytes.length != schema.getFixedSize()) {
                    throw new MismatchException(path, "must be " + schema.getFixedSize() + " bytes, got " + bytes.length);
                }
                return new GenericData.Fixed(schema, bytes);
            }
            default:
                throw new MismatchException(path, "has Avro type " + schema.getType() + ", which JSON input cannot fill");
        }
    }

    private static long instant(String text, boolean micros, String path) {
        try {
            Instant instant = Instant.parse(text);
            return micros ? Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
                    instant.getNano() / 1_000) : instant.toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new MismatchException(path, "must be an ISO-8601 instant like 2026-01-31T12:00:00Z, got '" + text + "'");
        }
    }

    private static byte[] unscaled(LogicalTypes.Decimal decimal, JsonNode node, String path) {
        BigDecimal value;
        try {
            value = node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
        } catch (NumberFormatException e) {
            throw new MismatchException(path, "must be a decimal number, got '" + node.asText() + "'");
        }
        try {
            BigDecimal scaled = value.setScale(decimal.getScale(), RoundingMode.UNNECESSARY);
            if (scaled.precision() > decimal.getPrecision()) {
                throw new MismatchException(path, "has " + scaled.precision() + " digits, more than the column's "
                        + "precision " + decimal.getPrecision());
            }
            return scaled.unscaledValue().toByteArray();
        } catch (ArithmeticException e) {
            throw new MismatchException(path, "has more than " + decimal.getScale() + " decimal places: " + value);
        }
    }

    private static byte[] signExtend(byte[] bytes, int size, String path) {
        if (bytes.length > size) {
            throw new MismatchException(path, "does not fit in " + size + " bytes");
        }
        byte[] out = new byte[size];
        byte fill = bytes.length > 0 && bytes[0] < 0 ? (byte) 0xFF : 0;
        java.util.Arrays.fill(out, 0, size - bytes.length, fill);
        System.arraycopy(bytes, 0, out, size - bytes.length, bytes.length);
        return out;
    }

    private static byte[] base64(JsonNode node, String path) {
        expect(node.isTextual(), path, "a base64 string", node);
        try {
            return Base64.getDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw new MismatchException(path, "must be base64, got '" + node.asText() + "'");
        }
    }

    private static void expect(boolean ok, String path, String what, JsonNode node) {
        if (!ok) {
            String got = node.isValueNode() ? node.getNodeType() + " " + node : node.getNodeType().toString();
            throw new MismatchException(path, "must be " + what + ", got " + got);
        }
    }

    /** A JSON value that does not fit its column; converted to a {@link RecordDecodeException} with context. */
    static final class MismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String path;

        MismatchException(String path, String message) {
            super(message, null, false, false);
            this.path = path.isEmpty() ? "(value)" : path;
        }

        /** The dotted path of the offending field, {@code (value)} for the whole value. */
        String path() {
            return path;
        }
    }
}
