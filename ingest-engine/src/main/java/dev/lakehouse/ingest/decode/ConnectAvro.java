package dev.lakehouse.ingest.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro written by a Kafka Connect Avro converter (Confluent's {@code AvroConverter} and its ports), read back into
 * Kafka Connect's JSON: the Connect schema its {@code connect.*} properties record beside each Avro type, and the
 * payload Connect's JSON converter would have written for the same data. The table then gets exactly the columns
 * and values {@link ConnectJson} gives the JSON converter's events: a change stream has the same table whichever
 * converter the connector used. Stateless.
 *
 * <p>Mapping back (the converter's forward mapping, inverted): a union of null and one type → that type,
 * optional; a record → {@code struct}; {@code int} → {@code int32}, or {@code int8}/{@code int16} by its
 * {@code connect.type}; {@code long} → {@code int64}; {@code float}, {@code double}, {@code boolean},
 * {@code string}; an enum → {@code string}; {@code bytes} and {@code fixed} → {@code bytes}; an array of the
 * converter's map entries (records of {@code key} and {@code value}) → a {@code map} of other keys than strings;
 * other arrays and maps as they are. {@code connect.name}, {@code connect.version} and {@code connect.parameters}
 * become the Connect schema's name, version and parameters, so Debezium's logical types
 * ({@code io.debezium.time.MicroTimestamp}, {@code io.debezium.data.VariableScaleDecimal}, ...) keep their
 * meaning. Avro's own logical types without a Connect name are taken as Connect's: {@code decimal} → Connect's
 * {@code Decimal}, {@code date} → {@code Date}, {@code time-millis} → {@code Time}, {@code timestamp-millis} →
 * {@code Timestamp}, and their microsecond forms as Debezium's {@code MicroTime} and {@code MicroTimestamp}.
 */
final class ConnectAvro {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String MAP_ENTRY = "MapEntry";

    private ConnectAvro() {
    }

    /**
     * The Connect schema of an Avro type, as Connect's JSON converter writes it.
     *
     * @throws IllegalArgumentException for a union of several non-null types, or the null type alone: no Connect
     *         schema describes them
     */
    static ObjectNode schema(Schema avro) {
        if (avro.isUnion()) {
            List<Schema> types = avro.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
            if (types.size() != 1) {
                throw new IllegalArgumentException("a union of " + avro.getTypes().size() + " types (" + avro
                        + ") has no column type; only a union of null and one type does");
            }
            ObjectNode optional = schema(types.get(0));
            optional.put("optional", true);
            return optional;
        }
        ObjectNode node = NODES.objectNode();
        node.put("type", type(avro));
        switch (avro.getType()) {
            case RECORD -> {
                ArrayNode fields = node.putArray("fields");
                for (Schema.Field field : avro.getFields()) {
                    ObjectNode child = schema(field.schema());
                    child.put("field", field.name());
                    fields.add(child);
                }
            }
            case ARRAY -> {
                Schema entry = mapEntry(avro);
                if (entry != null) {
                    node.set("keys", schema(entry.getField("key").schema()));
                    node.set("values", schema(entry.getField("value").schema()));
                } else {
                    node.set("items", schema(avro.getElementType()));
                }
            }
            case MAP -> {
                node.set("keys", NODES.objectNode().put("type", "string"));
                node.set("values", schema(avro.getValueType()));
            }
            default -> {
                // a primitive: its type says all
            }
        }
        if (!node.has("optional")) {
            node.put("optional", false);
        }
        name(avro, node);
        return node;
    }

    private static String type(Schema avro) {
        return switch (avro.getType()) {
            case RECORD -> "struct";
            case INT -> {
                String connectType = avro.getProp("connect.type");
                yield "int8".equals(connectType) || "int16".equals(connectType) ? connectType : "int32";
            }
            case LONG -> "int64";
            case FLOAT -> "float";
            case DOUBLE -> "double";
            case BOOLEAN -> "boolean";
            case STRING, ENUM -> "string";
            case BYTES, FIXED -> "bytes";
            case ARRAY -> mapEntry(avro) != null ? "map" : "array";
            case MAP -> "map";
            case NULL, UNION -> throw new IllegalArgumentException("the Avro type " + avro + " has no column type");
        };
    }

    /** The Connect name, version and parameters the converter recorded, or those of Avro's own logical type. */
    private static void name(Schema avro, ObjectNode node) {
        Object name = avro.getObjectProp("connect.name");
        Object version = avro.getObjectProp("connect.version");
        Object parameters = avro.getObjectProp("connect.parameters");
        LogicalType logical = avro.getLogicalType();
        if (name == null && logical != null) {
            name = switch (logical.getName()) {
                case "decimal" -> "org.apache.kafka.connect.data.Decimal";
                case "date" -> "org.apache.kafka.connect.data.Date";
                case "time-millis" -> "org.apache.kafka.connect.data.Time";
                case "timestamp-millis" -> "org.apache.kafka.connect.data.Timestamp";
                case "time-micros" -> "io.debezium.time.MicroTime";
                case "timestamp-micros" -> "io.debezium.time.MicroTimestamp";
                default -> null;
            };
        }
        if (name == null && avro.getType() == Schema.Type.RECORD) {
            name = avro.getFullName();
        }
        if (name != null) {
            node.put("name", name.toString());
        }
        if (version instanceof Number number) {
            node.put("version", number.intValue());
        }
        ObjectNode params = NODES.objectNode();
        if (parameters instanceof Map<?, ?> map) {
            map.forEach((key, value) -> params.put(key.toString(), String.valueOf(value)));
        }
        if (logical instanceof LogicalTypes.Decimal decimal) {
            // Avro's own decimal says its scale and precision even where Connect's parameters do not.
            params.put("scale", String.valueOf(decimal.getScale()));
            if (!params.has("connect.decimal.precision")) {
                params.put("connect.decimal.precision", String.valueOf(decimal.getPrecision()));
            }
        }
        if (!params.isEmpty()) {
            node.set("parameters", params);
        }
    }

    /** The record of an array's elements when the array is the converter's form of a map of non-string keys. */
    private static Schema mapEntry(Schema array) {
        Schema element = array.getElementType();
        if (element.getType() != Schema.Type.RECORD || element.getFields().size() != 2
                || element.getField("key") == null || element.getField("value") == null) {
            return null;
        }
        boolean marked = MAP_ENTRY.equals(element.getProp("connect.internal.type"))
                || MAP_ENTRY.equals(element.getName());
        return marked ? element : null;
    }

    /**
     * The payload Connect's JSON converter writes for an Avro datum of {@code avro} (as a reader without logical
     * type conversions returns it: a decimal as its unscaled bytes, a date as days): bytes in base64, a map of
     * non-string keys as an array of {@code [key, value]} pairs.
     */
    static JsonNode payload(Schema avro, Object datum) {
        if (datum == null) {
            return NODES.nullNode();
        }
        if (avro.isUnion()) {
            return payload(avro.getTypes().get(GenericData.get().resolveUnion(avro, datum)), datum);
        }
        return switch (avro.getType()) {
            case RECORD -> {
                GenericRecord record = (GenericRecord) datum;
                ObjectNode object = NODES.objectNode();
                for (Schema.Field field : avro.getFields()) {
                    object.set(field.name(), payload(field.schema(), record.get(field.pos())));
                }
                yield object;
            }
            case INT -> NODES.numberNode(((Number) datum).intValue());
            case LONG -> NODES.numberNode(((Number) datum).longValue());
            case FLOAT -> NODES.numberNode(((Number) datum).floatValue());
            case DOUBLE -> NODES.numberNode(((Number) datum).doubleValue());
            case BOOLEAN -> NODES.booleanNode((Boolean) datum);
            case STRING, ENUM -> NODES.textNode(datum.toString());
            case BYTES -> NODES.textNode(base64((ByteBuffer) datum));
            case FIXED -> NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
            case ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                Schema entry = mapEntry(avro);
                for (Object element : (Iterable<?>) datum) {
                    if (entry == null) {
                        array.add(payload(avro.getElementType(), element));
                    } else {
                        GenericRecord pair = (GenericRecord) element;
                        array.add(NODES.arrayNode().add(payload(entry.getField("key").schema(), pair.get("key")))
                                .add(payload(entry.getField("value").schema(), pair.get("value"))));
                    }
                }
                yield array;
            }
            case MAP -> {
                ObjectNode map = NODES.objectNode();
                ((Map<?, ?>) datum).forEach((key, value) -> map.set(key.toString(),
                        payload(avro.getValueType(), value)));
                yield map;
            }
            case NULL, UNION -> NODES.nullNode();
        };
    }

    private static String base64(ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return Base64.getEncoder().encodeToString(out);
    }
}
