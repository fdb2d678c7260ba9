package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The key columns of a keyed table's deletion, read from the tombstone's Kafka key: an Avro key in the Confluent
 * wire format (its record's fields by name, or a primitive for a single key column), a JSON object (its fields by
 * name, inside Kafka Connect's {@code payload} when the JSON converter wrote a {@code schema} and
 * {@code payload}), a JSON object in the Confluent wire format (JSON Schema's serializer: the object after the
 * five-byte header), or text (for a single key column: the text, or the number it spells for a numeric column).
 */
public final class KafkaKeys {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaKeys() {
    }

    /**
     * A record of {@code tableSchema} holding only the key columns, from the record's Kafka key.
     *
     * @throws RecordDecodeException {@code MISSING_KEY} without a key, {@code UNDECODABLE_KEY} when the key does not
     *         give every key column
     */
    public static GenericRecord keyRow(ConsumerRecord<byte[], byte[]> record, RecordDecoder decoder, Schema tableSchema,
                                List<String> keyColumns) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.key() == null) {
            throw new RecordDecodeException(DeadLetterReason.MISSING_KEY, where + ": a tombstone (null value) without "
                    + "a key deletes nothing; a keyed table's deletions need the Kafka key", null);
        }
        Object decoded = decoder.decodeFramedKey(record);
        JsonNode json = decoded == null ? json(record.key()) : null;
        if (json != null && json.has("payload") && json.has("schema")) {
            json = json.get("payload"); // Kafka Connect's JSON converter with schemas
        }
        GenericRecord key = new GenericData.Record(tableSchema);
        for (String column : keyColumns) {
            Object raw;
            if (decoded instanceof GenericRecord avro) {
                raw = avro.getSchema().getField(column) == null ? null : avro.get(column);
            } else if (decoded != null) {
                raw = keyColumns.size() == 1 ? decoded : null;
            } else if (json != null && json.isObject()) {
                JsonNode field = json.get(column);
                raw = field == null || field.isNull() ? null : field.isNumber() ? field.numberValue() : field.asText();
            } else if (json != null && json.isValueNode() && keyColumns.size() == 1) {
                raw = json.isNumber() ? json.numberValue() : json.asText();
            } else {
                raw = keyColumns.size() == 1 ? new String(record.key(), StandardCharsets.UTF_8) : null;
            }
            if (raw == null) {
                throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, where + ": the tombstone's key does "
                        + "not give key column '" + column + "' (key columns: " + keyColumns + ")", null);
            }
            key.put(column, as(raw, tableSchema.getField(column).schema(), column, where));
        }
        return key;
    }

    /**
     * A primitive Kafka key as text, for a keyed table whose key column holds the key itself
     * ({@code table.kafka-key-column}): an Avro primitive through the registry, a JSON string or number (inside
     * Kafka Connect's {@code payload} when it has one), or the key's bytes as UTF-8 text. A tombstone's key reads
     * into the same text ({@link #keyRow(ConsumerRecord, RecordDecoder, Schema, List)} with that one column).
     *
     * @return null for a record without a key
     * @throws RecordDecodeException {@code UNDECODABLE_KEY} when the key is a record or a JSON object or array
     */
    public static String text(ConsumerRecord<byte[], byte[]> record, RecordDecoder decoder) {
        if (record.key() == null) {
            return null;
        }
        Object decoded = decoder.decodeFramedKey(record);
        String structured = null;
        if (decoded instanceof GenericRecord) {
            structured = "an Avro record";
        } else if (decoded != null) {
            return decoded.toString();
        } else {
            JsonNode json = json(record.key());
            if (json != null && json.has("payload") && json.has("schema")) {
                json = json.get("payload"); // Kafka Connect's JSON converter with schemas
            }
            if (json != null && json.isValueNode()) {
                return json.isNumber() ? json.numberValue().toString() : json.asText();
            }
            if (json != null && json.isContainerNode()) {
                structured = "a JSON " + (json.isObject() ? "object" : "array");
            }
        }
        if (structured != null) {
            throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, record.topic() + "-"
                    + record.partition() + "@" + record.offset() + ": the Kafka key is " + structured + ", not a "
                    + "single value for table.kafka-key-column; leave that setting out to key the table by the key's "
                    + "fields", null);
        }
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    /**
     * The names of the Kafka key's fields, in the key's order: the key columns of a keyed table whose configuration
     * names none, taken from the record that creates it (Debezium's key holds the source table's primary key
     * columns, so each table of a whole database gets its own key).
     *
     * @throws RecordDecodeException {@code MISSING_KEY} without a key, {@code UNDECODABLE_KEY} when the key is not a
     *         record of fields (a primitive or text): such a table needs {@code table.key}
     */
    public static List<String> fieldNames(ConsumerRecord<byte[], byte[]> record, RecordDecoder decoder) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        String fix = "; the table's key is taken from the Kafka key's fields because table.key is not set: set "
                + "table.key to the columns that identify a row";
        if (record.key() == null) {
            throw new RecordDecodeException(DeadLetterReason.MISSING_KEY, where + ": the record has no Kafka key"
                    + fix, null);
        }
        Object decoded = decoder.decodeFramedKey(record);
        List<String> names = new java.util.ArrayList<>();
        if (decoded instanceof GenericRecord avro) {
            avro.getSchema().getFields().forEach(field -> names.add(field.name()));
        } else if (decoded == null) {
            JsonNode json = json(record.key());
            if (json != null && json.has("payload") && json.has("schema")) {
                json = json.get("payload"); // Kafka Connect's JSON converter with schemas
            }
            if (json != null && json.isObject()) {
                json.fieldNames().forEachRemaining(names::add);
            }
        }
        if (names.isEmpty()) {
            throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, where + ": the Kafka key is not a "
                    + "record of fields (" + (decoded != null ? "an Avro " + decoded.getClass().getSimpleName()
                    : "not a JSON object or Avro record") + ")" + fix, null);
        }
        for (String name : names) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, where + ": the Kafka key's field '"
                        + name + "' cannot be a key column name" + fix, null);
            }
        }
        return List.copyOf(names);
    }

    /**
     * A record of {@code tableSchema} holding only the key columns, from a JSON object's fields of those names
     * (a change event's {@code before} row).
     *
     * @return null when the object lacks a key column (the caller then reads the Kafka key)
     */
    public static GenericRecord keyRow(JsonNode row, Schema tableSchema, List<String> keyColumns, String where) {
        if (row == null || !row.isObject()) {
            return null;
        }
        GenericRecord key = new GenericData.Record(tableSchema);
        for (String column : keyColumns) {
            JsonNode field = row.get(column);
            if (field == null || field.isNull()) {
                return null;
            }
            key.put(column, as(field.isNumber() ? field.numberValue() : field.asText(),
                    tableSchema.getField(column).schema(), column, where));
        }
        return key;
    }

    private static JsonNode json(byte[] key) {
        if (key.length > 5 && key[0] == 0 && key[5] == '{') {
            // The Confluent wire format around JSON (JSON Schema's serializer): magic byte, schema id, the object.
            try {
                return JSON.readTree(key, 5, key.length - 5);
            } catch (IOException e) {
                return null;
            }
        }
        if (key.length == 0 || (key[0] != '{' && key[0] != '"' && key[0] != '-' && (key[0] < '0' || key[0] > '9'))) {
            return null;
        }
        try {
            return JSON.readTree(key);
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code raw} as a value of the column's type. */
    private static Object as(Object raw, Schema column, String name, String where) {
        Schema type = column;
        if (type.isUnion()) {
            type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(type);
        }
        try {
            switch (type.getType()) {
                case STRING:
                    return raw.toString();
                case LONG:
                    return raw instanceof Number n ? n.longValue() : Long.parseLong(raw.toString().trim());
                case INT:
                    return raw instanceof Number n ? Math.toIntExact(n.longValue())
                            : Integer.parseInt(raw.toString().trim());
                default:
                    if (raw instanceof CharSequence || raw instanceof Number || raw instanceof Boolean) {
                        throw new IllegalArgumentException("a key column of type " + type.getType()
                                + " cannot be read from a Kafka key");
                    }
                    return raw;
            }
        } catch (RuntimeException e) {
            throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, where + ": the tombstone's key gives '"
                    + raw + "' for key column '" + name + "', which does not fit it: " + e.getMessage(), e);
        }
    }
}
