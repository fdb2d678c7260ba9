package dev.lakehouse.ingest.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Kafka Connect's JSON converter format ({@code schemas.enable=true}): a value {@code {"schema": ..., "payload":
 * ...}} whose {@code schema} describes the payload in Connect's types, as every Kafka Connect source connector
 * (Debezium among them) writes it. Reads the schema as the table's columns ({@link #avroSchema}) and rewrites a
 * payload's values of Connect's and Debezium's logical types into the JSON that {@link JsonToAvro} reads into
 * those columns ({@link #normalize}). Stateless.
 *
 * <p>Mapping: {@code int8}, {@code int16}, {@code int32} → int; {@code int64} → long; {@code float} (Connect's
 * FLOAT32) → float; {@code double} (FLOAT64) → double; {@code boolean}; {@code string}; {@code bytes} → binary;
 * {@code struct} → struct; {@code array} → array; {@code map} with string keys → map (other keys: a string column of the map's JSON text).
 * Logical types: Connect's {@code Decimal} (base64 unscaled bytes, or a number with {@code decimal.format=numeric})
 * → decimal(precision from {@code connect.decimal.precision}, else 38, scale); Connect's {@code Date} and
 * Debezium's {@code Date} → date; Connect's {@code Timestamp} and Debezium's {@code Timestamp} → timestamp
 * (milliseconds); Debezium's {@code MicroTimestamp}, {@code NanoTimestamp} (truncated to microseconds) and
 * {@code ZonedTimestamp} → timestamp (microseconds); Connect's {@code Time} and Debezium's {@code Time},
 * {@code MicroTime}, {@code NanoTime}, {@code ZonedTime} → string ({@code 13:45:07.123456}: Delta has no time
 * type); Debezium's {@code VariableScaleDecimal} (a {@code numeric} without scale) → string holding the exact
 * number; {@code Json}, {@code Uuid}, {@code Xml}, {@code Enum}, {@code Interval} → string as written. Debezium's
 * {@code timestamp} columns without a time zone are epoch values of the local date-time read as UTC (how
 * Debezium writes them); they become timestamps at that UTC instant.
 */
final class ConnectJson {

    /** A value in Connect's wrapper: the schema and the payload it describes. */
    record Wrapped(JsonNode schema, JsonNode payload) {
    }

    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConnectJson() {
    }

    /**
     * The schema and payload of {@code value} when it is Connect's wrapper: an object with exactly the fields
     * {@code schema} (an object with a {@code type}) and {@code payload}; else null.
     */
    static Wrapped unwrap(JsonNode value) {
        if (value == null || !value.isObject() || value.size() != 2) {
            return null;
        }
        JsonNode schema = value.get("schema");
        if (schema == null || !schema.isObject() || !schema.path("type").isTextual() || !value.has("payload")) {
            return null;
        }
        return new Wrapped(schema, value.get("payload"));
    }

    /**
     * The Avro record schema of a Connect {@code struct} schema.
     *
     * @param fallbackName the record's name when the schema has none
     * @throws IllegalArgumentException if the schema is not a struct, or a field name cannot be a column name
     */
    static Schema avroSchema(JsonNode structSchema, String fallbackName) {
        if (!"struct".equals(structSchema.path("type").asText())) {
            throw new IllegalArgumentException("the Connect schema describes a " + structSchema.path("type").asText()
                    + ", not a struct with fields; a table row needs a struct");
        }
        String name = structSchema.path("name").asText(fallbackName);
        return record(structSchema, avroName(name.isEmpty() ? fallbackName : name), "");
    }

    private static Schema record(JsonNode struct, String fullName, String path) {
        List<Schema.Field> fields = new ArrayList<>();
        for (JsonNode field : struct.path("fields")) {
            String fieldName = field.path("field").asText();
            String fieldPath = path.isEmpty() ? fieldName : path + "." + fieldName;
            if (!AVRO_NAME.matcher(fieldName).matches()) {
                throw new IllegalArgumentException("field '" + fieldPath + "' cannot be a column name: use letters, "
                        + "digits and '_' (rename the column, or add a Kafka Connect transform that renames it)");
            }
            // Nested records are named after their path: unique within the row, whatever Connect names them.
            Schema type = type(field, fullName + "_" + fieldName, fieldPath);
            boolean optional = field.path("optional").asBoolean(false);
            fields.add(optional
                    ? new Schema.Field(fieldName, Schema.createUnion(Schema.create(Schema.Type.NULL), type), null,
                    JsonProperties.NULL_VALUE)
                    : new Schema.Field(fieldName, type, null, (Object) null));
        }
        int dot = fullName.lastIndexOf('.');
        return Schema.createRecord(fullName.substring(dot + 1), null, dot < 0 ? null : fullName.substring(0, dot),
                false, fields);
    }

    private static Schema type(JsonNode schema, String recordName, String path) {
        String logical = schema.path("name").asText("");
        switch (logical) {
            case DECIMAL -> {
                JsonNode parameters = schema.path("parameters");
                int scale = Integer.parseInt(parameters.path("scale").asText("0"));
                int precision = Integer.parseInt(parameters.path("connect.decimal.precision").asText("38"));
                if (precision > 38 || scale > precision) {
                    throw new IllegalArgumentException("field '" + path + "' is a decimal(" + precision + ", "
                            + scale + "), wider than a Delta decimal (at most 38 digits); set the connector's "
                            + "decimal.handling.mode to string");
                }
                return LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
            }
            case "org.apache.kafka.connect.data.Date", "io.debezium.time.Date" -> {
                return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            }
            case "org.apache.kafka.connect.data.Timestamp", "io.debezium.time.Timestamp" -> {
                return LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
            }
            case "io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp",
                 "io.debezium.time.ZonedTimestamp" -> {
                return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
            }
            case "org.apache.kafka.connect.data.Time", "io.debezium.time.Time", "io.debezium.time.MicroTime",
                 "io.debezium.time.NanoTime", "io.debezium.time.ZonedTime", "io.debezium.data.VariableScaleDecimal" -> {
                return Schema.create(Schema.Type.STRING);
            }
            default -> {
                // Not a logical type this mapping knows: the physical type describes the value.
            }
        }
        String type = schema.path("type").asText();
        return switch (type) {
            case "int8", "int16", "int32" -> Schema.create(Schema.Type.INT);
            case "int64" -> Schema.create(Schema.Type.LONG);
            // Connect's JsonConverter names FLOAT32 and FLOAT64 "float" and "double" in the schemas it writes;
            // the enum's own names are taken too, for hand-written schemas.
            case "float", "float32" -> Schema.create(Schema.Type.FLOAT);
            case "double", "float64" -> Schema.create(Schema.Type.DOUBLE);
            case "boolean" -> Schema.create(Schema.Type.BOOLEAN);
            case "string" -> Schema.create(Schema.Type.STRING);
            case "bytes" -> Schema.create(Schema.Type.BYTES);
            case "struct" -> record(schema, recordName, path);
            case "array" -> Schema.createArray(element(schema.path("items"), recordName + "_item", path + "[]"));
            case "map" -> {
                if ("string".equals(schema.path("keys").path("type").asText())) {
                    yield Schema.createMap(element(schema.path("values"), recordName + "_value", path + "{}"));
                }
                // Connect writes a map of other keys as an array of [key, value] pairs: kept as its JSON text.
                Schema text = Schema.create(Schema.Type.STRING);
                text.addProp(JsonSchemaToAvro.JSON_TEXT_PROPERTY, true);
                yield text;
            }
            default -> throw new IllegalArgumentException("field '" + path + "' has Connect type '" + type
                    + "', which has no column type");
        };
    }

    private static Schema element(JsonNode schema, String recordName, String path) {
        Schema type = type(schema, recordName, path);
        return schema.path("optional").asBoolean(false)
                ? Schema.createUnion(Schema.create(Schema.Type.NULL), type) : type;
    }

    /** A dotted Connect name as an Avro full name: each part made a valid Avro name. */
    private static String avroName(String connectName) {
        StringBuilder out = new StringBuilder();
        for (String part : connectName.split("\\.")) {
            if (part.isEmpty()) {
                continue;
            }
            String clean = part.replaceAll("[^A-Za-z0-9_]", "_");
            if (!Character.isLetter(clean.charAt(0)) && clean.charAt(0) != '_') {
                clean = "_" + clean;
            }
            out.append(out.length() == 0 ? "" : ".").append(clean);
        }
        return out.length() == 0 ? "Row" : out.toString();
    }

    /** Whether a payload of this schema has a value {@link #normalize} rewrites; false lets a decoder skip it. */
    static boolean needsNormalizing(JsonNode schema) {
        String logical = schema.path("name").asText("");
        if (!normalizedAs(logical).isEmpty()) {
            return true;
        }
        switch (schema.path("type").asText()) {
            case "struct":
                for (JsonNode field : schema.path("fields")) {
                    if (needsNormalizing(field)) {
                        return true;
                    }
                }
                return false;
            case "array":
                return needsNormalizing(schema.path("items"));
            case "map":
                return needsNormalizing(schema.path("keys")) || needsNormalizing(schema.path("values"));
            default:
                return false;
        }
    }

    private static String normalizedAs(String logical) {
        return switch (logical) {
            case DECIMAL -> "decimal";
            case "io.debezium.time.NanoTimestamp" -> "nanos";
            case "org.apache.kafka.connect.data.Time", "io.debezium.time.Time" -> "time-millis";
            case "io.debezium.time.MicroTime" -> "time-micros";
            case "io.debezium.time.NanoTime" -> "time-nanos";
            case "io.debezium.data.VariableScaleDecimal" -> "variable-decimal";
            default -> "";
        };
    }

    /**
     * The payload with values of logical types rewritten as {@link JsonToAvro} reads them into the columns of
     * {@link #avroSchema}: a decimal's base64 bytes as the number, nanoseconds as microseconds, a time of day as
     * its text, a variable-scale decimal as the exact number's text. Other values are returned as they are.
     *
     * @throws JsonToAvro.MismatchException naming the field whose value does not fit its Connect schema
     */
    static JsonNode normalize(JsonNode schema, JsonNode payload) {
        return normalize(schema, payload, "");
    }

    private static JsonNode normalize(JsonNode schema, JsonNode value, String path) {
        if (value == null || value.isNull()) {
            return value;
        }
        String as = normalizedAs(schema.path("name").asText(""));
        try {
            switch (as) {
                case "decimal" -> {
                    if (value.isNumber()) {
                        return value;
                    }
                    int scale = Integer.parseInt(schema.path("parameters").path("scale").asText("0"));
                    return DecimalNode.valueOf(new BigDecimal(new BigInteger(Base64.getDecoder()
                            .decode(value.asText())), scale));
                }
                case "nanos" -> {
                    return LongNode.valueOf(Math.floorDiv(value.longValue(), 1_000L));
                }
                case "time-millis" -> {
                    return TextNode.valueOf(LocalTime.ofNanoOfDay(value.longValue() * 1_000_000L).toString());
                }
                case "time-micros" -> {
                    return TextNode.valueOf(LocalTime.ofNanoOfDay(value.longValue() * 1_000L).toString());
                }
                case "time-nanos" -> {
                    return TextNode.valueOf(LocalTime.ofNanoOfDay(value.longValue()).toString());
                }
                case "variable-decimal" -> {
                    int scale = value.path("scale").asInt();
                    byte[] unscaled = Base64.getDecoder().decode(value.path("value").asText());
                    return TextNode.valueOf(new BigDecimal(new BigInteger(unscaled), scale).toPlainString());
                }
                default -> {
                    // a value whose children may need it
                }
            }
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw new JsonToAvro.MismatchException(path, "does not fit its Connect type "
                    + schema.path("name").asText() + ": " + e.getMessage());
        }
        switch (schema.path("type").asText()) {
            case "struct": {
                if (!value.isObject()) {
                    return value;
                }
                ObjectNode out = null;
                for (JsonNode field : schema.path("fields")) {
                    String name = field.path("field").asText();
                    JsonNode child = value.get(name);
                    JsonNode normalized = normalize(field, child, path.isEmpty() ? name : path + "." + name);
                    if (normalized != child) {
                        out = out == null ? ((ObjectNode) value).deepCopy() : out;
                        out.set(name, normalized);
                    }
                }
                return out == null ? value : out;
            }
            case "array": {
                if (!value.isArray() || !needsNormalizing(schema.path("items"))) {
                    return value;
                }
                var out = NODES.arrayNode(value.size());
                int i = 0;
                for (JsonNode element : value) {
                    out.add(normalize(schema.path("items"), element, path + "[" + i++ + "]"));
                }
                return out;
            }
            case "map": {
                if (!value.isObject() || !needsNormalizing(schema.path("values"))) {
                    return value;
                }
                ObjectNode out = NODES.objectNode();
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    out.set(entry.getKey(), normalize(schema.path("values"), entry.getValue(),
                            path + "." + entry.getKey()));
                }
                return out;
            }
            default:
                return value;
        }
    }
}
