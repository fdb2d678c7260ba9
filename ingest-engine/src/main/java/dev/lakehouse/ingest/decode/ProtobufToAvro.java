package dev.lakehouse.ingest.decode;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Protobuf messages as Avro records, and so as table rows: the record schema of a message type, and the record of
 * a message.
 *
 * <p>Mapping: nested messages → structs; {@code repeated} → arrays; {@code map<string, V>} → maps (other key types:
 * arrays of key/value structs); enums → their names as strings; {@code google.protobuf.Timestamp} → timestamp
 * (microseconds); the wrappers ({@code Int64Value}, {@code StringValue}, ...) → their nullable scalar;
 * {@code int32}/{@code sint32}/{@code sfixed32} → int; {@code uint32}, {@code fixed32} and the 64-bit integers →
 * long ({@code uint64} above 2^63 wraps, as Java reads it); float, double, bool, string, bytes as they are. Every
 * column is nullable: a field with presence ({@code optional}, a message, a {@code oneof} member) that is not set
 * is null; a proto3 scalar without presence has its default. A message type that contains itself (directly or
 * not) has no fixed columns: from the second level down it is a string holding the message in text format.
 */
final class ProtobufToAvro {

    private static final String TIMESTAMP = "google.protobuf.Timestamp";
    private static final Set<String> WRAPPERS = Set.of("google.protobuf.DoubleValue", "google.protobuf.FloatValue",
            "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.Int32Value",
            "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue",
            "google.protobuf.BytesValue");

    private final Deque<String> enclosing = new ArrayDeque<>();

    private ProtobufToAvro() {
    }

    /** The record schema of {@code message}'s values. */
    static Schema recordSchema(Descriptor message) {
        return new ProtobufToAvro().record(message);
    }

    private Schema record(Descriptor message) {
        enclosing.push(message.getFullName());
        try {
            List<Schema.Field> fields = new ArrayList<>();
            for (FieldDescriptor field : message.getFields()) {
                fields.add(new Schema.Field(field.getName(), nullable(type(field)), null,
                        JsonProperties.NULL_VALUE));
            }
            String name = message.getFullName().replace('.', '_');
            return Schema.createRecord(name, null, null, false, fields);
        } finally {
            enclosing.pop();
        }
    }

    private Schema type(FieldDescriptor field) {
        if (field.isMapField()) {
            FieldDescriptor key = field.getMessageType().findFieldByNumber(1);
            FieldDescriptor value = field.getMessageType().findFieldByNumber(2);
            if (key.getJavaType() == FieldDescriptor.JavaType.STRING) {
                return Schema.createMap(nullable(single(value)));
            }
            return Schema.createArray(record(field.getMessageType()));
        }
        Schema single = single(field);
        return field.isRepeated() ? Schema.createArray(single) : single;
    }

    private Schema single(FieldDescriptor field) {
        return switch (field.getType()) {
            case INT32, SINT32, SFIXED32 -> Schema.create(Schema.Type.INT);
            case UINT32, FIXED32, INT64, SINT64, SFIXED64, UINT64, FIXED64 -> Schema.create(Schema.Type.LONG);
            case FLOAT -> Schema.create(Schema.Type.FLOAT);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case BOOL -> Schema.create(Schema.Type.BOOLEAN);
            case STRING, ENUM -> Schema.create(Schema.Type.STRING);
            case BYTES -> Schema.create(Schema.Type.BYTES);
            case MESSAGE, GROUP -> message(field.getMessageType());
        };
    }

    private Schema message(Descriptor type) {
        if (type.getFullName().equals(TIMESTAMP)) {
            return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
        }
        if (WRAPPERS.contains(type.getFullName())) {
            return single(type.findFieldByName("value"));
        }
        if (enclosing.contains(type.getFullName())) {
            return Schema.create(Schema.Type.STRING); // recursive: the text format
        }
        return record(type);
    }

    private static Schema nullable(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }

    /**
     * Turns messages into records, remembering for each (message type, record schema) which field fills which
     * column: looking fields up by name for every message cost a fifth of the decoding. One per decoder; not
     * thread-safe.
     */
    static final class Rows {
        private final Map<Descriptor, Map<Schema, FieldDescriptor[]>> plans = new java.util.IdentityHashMap<>();

        /**
         * {@code message} as a record of {@code schema} (a table schema that covers the message's type): columns
         * the message type lacks are null.
         */
        GenericRecord record(Message message, Schema schema) {
            return ProtobufToAvro.record(message, schema, this);
        }

        private FieldDescriptor[] plan(Descriptor type, Schema schema) {
            return plans.computeIfAbsent(type, t -> new java.util.IdentityHashMap<>()).computeIfAbsent(schema, s -> {
                FieldDescriptor[] fields = new FieldDescriptor[s.getFields().size()];
                for (Schema.Field column : s.getFields()) {
                    fields[column.pos()] = type.findFieldByName(column.name());
                }
                return fields;
            });
        }
    }

    /** {@link Rows#record} without remembering anything, for one-off conversions. */
    static GenericRecord record(Message message, Schema schema) {
        return record(message, schema, new Rows());
    }

    private static GenericRecord record(Message message, Schema schema, Rows rows) {
        GenericData.Record record = new GenericData.Record(schema);
        FieldDescriptor[] plan = rows.plan(message.getDescriptorForType(), schema);
        for (Schema.Field column : schema.getFields()) {
            FieldDescriptor field = plan[column.pos()];
            if (field == null) {
                continue;
            }
            if (field.hasPresence() && !message.hasField(field)) {
                continue; // null: not set
            }
            record.put(column.pos(), value(field, message.getField(field), nonNull(column.schema()), rows));
        }
        return record;
    }

    private static Object value(FieldDescriptor field, Object value, Schema schema, Rows rows) {
        if (field.isMapField()) {
            List<?> entries = (List<?>) value;
            FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
            FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
            if (schema.getType() == Schema.Type.MAP) {
                Map<String, Object> map = new HashMap<>();
                for (Object entry : entries) {
                    Message m = (Message) entry;
                    map.put((String) m.getField(keyField), single(valueField, m.getField(valueField),
                            nonNull(schema.getValueType()), rows));
                }
                return map;
            }
            GenericData.Array<Object> array = new GenericData.Array<>(entries.size(), schema);
            for (Object entry : entries) {
                array.add(record((Message) entry, nonNull(schema.getElementType()), rows));
            }
            return array;
        }
        if (field.isRepeated()) {
            List<?> values = (List<?>) value;
            GenericData.Array<Object> array = new GenericData.Array<>(values.size(), schema);
            Schema element = nonNull(schema.getElementType());
            for (Object v : values) {
                array.add(single(field, v, element, rows));
            }
            return array;
        }
        return single(field, value, schema, rows);
    }

    private static Object single(FieldDescriptor field, Object value, Schema schema, Rows rows) {
        switch (field.getType()) {
            case ENUM:
                return ((EnumValueDescriptor) value).getName();
            case BYTES:
                return ByteBuffer.wrap(((ByteString) value).toByteArray());
            case UINT32:
            case FIXED32:
                return Integer.toUnsignedLong((Integer) value);
            case MESSAGE:
            case GROUP:
                return message((Message) value, schema, rows);
            default:
                return widened(value, schema);
        }
    }

    private static Object message(Message message, Schema schema, Rows rows) {
        String type = message.getDescriptorForType().getFullName();
        if (type.equals(TIMESTAMP)) {
            long seconds = (Long) message.getField(message.getDescriptorForType().findFieldByName("seconds"));
            int nanos = (Integer) message.getField(message.getDescriptorForType().findFieldByName("nanos"));
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1_000);
        }
        if (WRAPPERS.contains(type)) {
            FieldDescriptor inner = message.getDescriptorForType().findFieldByName("value");
            return single(inner, message.getField(inner), schema, rows);
        }
        if (schema.getType() == Schema.Type.STRING) {
            return com.google.protobuf.TextFormat.printer().shortDebugString(message);
        }
        return record(message, schema, rows);
    }

    /** Numbers as the column's type, which may be wider than the field's after schema evolution. */
    private static Object widened(Object value, Schema schema) {
        if (value instanceof Integer i && schema.getType() == Schema.Type.LONG) {
            return i.longValue();
        }
        if (value instanceof Float f && schema.getType() == Schema.Type.DOUBLE) {
            return f.doubleValue();
        }
        return value;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                return branch;
            }
        }
        return schema;
    }
}
