package dev.lakehouse.ingest.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.AvroDecodeException;
import dev.lakehouse.registry.serde.ConfluentAvroDeserializer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Debezium's change events as a Kafka Connect Avro converter writes them (Confluent's {@code AvroConverter}, or a
 * port of it such as Apicurio's): the Confluent wire format, the schema in the registry, an {@code Envelope}
 * record of {@code before} and {@code after} (each a union of null and the table's {@code Value} record),
 * {@code source}, {@code op} and {@code ts_ms}. Keys are the converter's Avro key records.
 *
 * <p>An event is read into the same {@link DebeziumEnvelope.Change} as the JSON converter's, in Connect's JSON
 * ({@link ConnectAvro}), and its row decoded as Connect's JSON with its schema: the table's columns and values are
 * exactly those the JSON converter's events give. Envelope schemas are mapped once each (by identity: the registry
 * client returns one instance per id). Registry failures pass through (transient). Not thread-safe.
 */
public final class DebeziumAvroDecoder implements RecordDecoder {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ConfluentAvroDecoder envelopes;
    private final ConfluentAvroDeserializer deserializer;
    private final ConnectJsonDecoder rows = new ConnectJsonDecoder();
    private final Map<Schema, JsonNode> rowSchemas = new IdentityHashMap<>();

    public DebeziumAvroDecoder(SchemaRegistryClient registry) {
        this.envelopes = new ConfluentAvroDecoder(registry);
        this.deserializer = ConfluentAvroDeserializer.builder(registry).build();
    }

    @Override
    public DebeziumEnvelope.Change changeEvent(ConsumerRecord<byte[], byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        Schema envelope = envelopes.writerSchema(record); // dead letters for a bad header or an unknown id
        Schema.Field after = envelope.getType() == Schema.Type.RECORD ? envelope.getField("after") : null;
        Schema.Field op = envelope.getType() == Schema.Type.RECORD ? envelope.getField("op") : null;
        if (after == null || op == null) {
            throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, where + ": the value's Avro schema "
                    + envelope.getFullName() + " is not Debezium's envelope (a record with op, before and after); "
                    + "check the connector's converter, or set source.envelope: none", null);
        }
        Object datum;
        try {
            datum = deserializer.deserialize(record.value(), null, ConfluentFramedValues.context(record));
        } catch (AvroDecodeException e) {
            throw new RecordDecodeException(DeadLetterReason.named(e.reason()), e.getMessage(), e);
        }
        GenericRecord event = (GenericRecord) datum;
        JsonNode rowSchema = rowSchemas.get(envelope);
        if (rowSchema == null) {
            try {
                rowSchema = ConnectAvro.schema(after.schema());
            } catch (IllegalArgumentException e) {
                throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, where + ": the envelope's "
                        + "row has no table form: " + e.getMessage(), e);
            }
            rowSchemas.put(envelope, rowSchema);
        }
        ObjectNode payload = NODES.objectNode();
        payload.set("op", ConnectAvro.payload(op.schema(), event.get(op.pos())));
        for (String part : new String[] {"before", "after", "source", "ts_ms"}) {
            Schema.Field field = envelope.getField(part);
            if (field != null) {
                payload.set(part, ConnectAvro.payload(field.schema(), event.get(field.pos())));
            }
        }
        if (!payload.path("op").isTextual()) {
            throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, where + ": the Debezium event's op "
                    + "is " + payload.path("op") + ", not an operation", null);
        }
        return DebeziumEnvelope.change(where, payload, rowSchema, DeadLetterReason.NOT_A_RECORD);
    }

    /** A change's row ({@link DebeziumEnvelope.Change#rowValue}), in Connect's JSON with its schema. */
    @Override
    public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
        return rows.writerSchema(record);
    }

    /** A change's row ({@link DebeziumEnvelope.Change#rowValue}), in Connect's JSON with its schema. */
    @Override
    public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
        return rows.decode(record, tableSchema);
    }

    @Override
    public Object decodeFramedKey(ConsumerRecord<byte[], byte[]> record) {
        return envelopes.decodeFramedKey(record);
    }

    @Override
    public String writerSchemaRef(ConsumerRecord<byte[], byte[]> record) {
        String ref = ConfluentFramedValues.schemaRef(record);
        return ref.isEmpty() ? rows.writerSchemaRef(record) : ref;
    }

    @Override
    public DeadLetterReason undecodableReason() {
        return DeadLetterReason.CORRUPT_AVRO;
    }
}
