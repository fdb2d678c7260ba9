package dev.lakehouse.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.Objects;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes JSON objects into records of the table schema, field by field by name.
 *
 * <p>The value schema is configured (JSON carries none) and is the writer schema of every record. Mapping:
 * objects to records and maps; arrays to arrays; numbers to int/long/float/double (integers must fit, no silent
 * truncation); strings to strings and enum symbols; {@code date} from {@code "2026-01-31"} or epoch days;
 * {@code timestamp-millis/micros} from an ISO-8601 instant or an epoch number in the column's unit;
 * {@code decimal} from a number or a numeric string that fits the scale; bytes and fixed from base64.
 * Missing fields and JSON null are null where the value schema allows null; a field the value schema declares
 * non-null (at any depth, inside present records) that is missing or null makes the record a
 * {@code NULL_IN_REQUIRED_COLUMN} dead letter. Fields the schema does not name are ignored.
 */
public final class JsonRecordDecoder implements RecordDecoder {

    private final ObjectMapper mapper = new ObjectMapper();
    private final Schema valueSchema;

    public JsonRecordDecoder(Schema valueSchema) {
        this.valueSchema = Objects.requireNonNull(valueSchema, "valueSchema");
        if (valueSchema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("a JSON pipeline's value schema must be an Avro record, got "
                    + valueSchema.getType());
        }
    }

    @Override
    public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
        return valueSchema;
    }

    @Override
    public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value() == null) {
            throw new RecordDecodeException(DeadLetterReason.NULL_VALUE, where + ": the value is null (a tombstone); an append-only "
                    + "table has no row for it", null);
        }
        JsonNode node;
        try {
            node = mapper.readTree(record.value());
        } catch (JsonProcessingException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value is not valid JSON: " + e, e);
        }
        if (node == null || !node.isObject()) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value must be a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType()), null);
        }
        GenericRecord row;
        try {
            row = (GenericRecord) convert(tableSchema, node, "");
        } catch (MismatchException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": field '" + e.path + "' " + e.getMessage()
                    + "; fix the producer or the pipeline's value schema", null);
        }
        String missing = firstMissingRequired(valueSchema, row, "");
        if (missing != null) {
            throw new RecordDecodeException(DeadLetterReason.NULL_IN_REQUIRED_COLUMN, where + ": field '"
                    + missing + "' is missing or null, but the value schema requires it; fix the producer, or make "
                    + "the field optional in the value schema", null);
        }
        return row;
    }

    /** The path of the first field {@code schema} declares non-null that is null in {@code row}, or null. */
    private static String firstMissingRequired(Schema schema, GenericRecord row, String path) {
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            Object value = row.getSchema().getField(field.name()) == null ? null : row.get(field.name());
            if (value == null) {
                if (!field.schema().isNullable()) {
                    return fieldPath;
                }
                continue;
            }
            if (field.schema().getType() == Schema.Type.RECORD && value instanceof GenericRecord nested) {
                String missing = firstMissingRequired(field.schema(), nested, fieldPath);
                if (missing != null) {
                    return missing;
                }
            }
        }
        return null;
    }

    private Object convert(Schema schema, JsonNode node, String path) {
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

    private Object convertUnion(Schema union, JsonNode node, String path) {
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

    private Object convertPresent(Schema schema, JsonNode node, String path) {
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
    private static final class MismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String path;

        MismatchException(String path, String message) {
            super(message, null, false, false);
            this.path = path.isEmpty() ? "(value)" : path;
        }
    }
}
