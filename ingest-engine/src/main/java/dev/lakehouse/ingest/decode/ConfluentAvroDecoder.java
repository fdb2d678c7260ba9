package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.registry.client.SchemaNotFoundException;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.AvroDecodeException;
import dev.lakehouse.registry.serde.ConfluentAvroDeserializer;
import dev.lakehouse.registry.serde.RecordContext;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes values in the Confluent wire format ({@code 0x00}, a 4-byte schema id, Avro binary) with the writer
 * schema from the registry, resolved to the table schema by Avro's rules.
 *
 * <p>Failures of the registry itself ({@link dev.lakehouse.registry.client.RegistryUnavailableException}) pass
 * through untouched: they are transient and must not be blamed on the record.
 */
public final class ConfluentAvroDecoder implements RecordDecoder {

    private final SchemaRegistryClient registry;
    private final ConfluentAvroDeserializer deserializer;
    // Consecutive records almost always share their writer schema: one comparison instead of a map lookup.
    private int lastSchemaId = -1;
    private Schema lastSchema;

    public ConfluentAvroDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
        this.deserializer = ConfluentAvroDeserializer.builder(registry).build();
    }

    @Override
    public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
        int id = ConfluentFramedValues.schemaId(record);
        if (id == lastSchemaId) {
            return lastSchema;
        }
        try {
            // The client caches ids for good, so this is the same Schema instance every time.
            Schema schema = registry.schemaById(id);
            lastSchemaId = id;
            lastSchema = schema;
            return schema;
        } catch (SchemaNotFoundException e) {
            throw new RecordDecodeException(DeadLetterReason.UNKNOWN_SCHEMA_ID, context(record) + ": schema id " + id
                    + " is not in the registry; register the producer's schema or point the pipeline at the right "
                    + "registry", e);
        }
    }

    @Override
    public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
        RecordContext context = context(record);
        try {
            Object datum = deserializer.deserialize(requireValue(record), tableSchema, context);
            if (!(datum instanceof GenericRecord generic)) {
                throw new RecordDecodeException(DeadLetterReason.NOT_A_RECORD, context + ": the value is an Avro "
                        + (datum == null ? "null" : datum.getClass().getSimpleName()) + ", not a record; "
                        + "a table row needs a record schema", null);
            }
            return generic;
        } catch (AvroDecodeException e) {
            throw new RecordDecodeException(DeadLetterReason.named(e.reason()), e.getMessage(), e);
        }
    }

    @Override
    public Object decodeFramedKey(ConsumerRecord<byte[], byte[]> record) {
        byte[] key = record.key();
        if (key == null || key.length < 5 || key[0] != 0) {
            return null;
        }
        try {
            return deserializer.deserialize(key, null, context(record));
        } catch (AvroDecodeException e) {
            throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, context(record) + ": the key looks like "
                    + "Avro in the Confluent wire format but does not decode: " + e.getMessage(), e);
        }
    }

    @Override
    public String writerSchemaRef(ConsumerRecord<byte[], byte[]> record) {
        return ConfluentFramedValues.schemaRef(record);
    }

    private static byte[] requireValue(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new RecordDecodeException(DeadLetterReason.NULL_VALUE, context(record) + ": the value is null (a "
                    + "tombstone); an append-only table has no row for it", null);
        }
        return record.value();
    }

    private static RecordContext context(ConsumerRecord<byte[], byte[]> record) {
        return ConfluentFramedValues.context(record);
    }

    @Override
    public DeadLetterReason undecodableReason() {
        return DeadLetterReason.CORRUPT_AVRO;
    }
}
