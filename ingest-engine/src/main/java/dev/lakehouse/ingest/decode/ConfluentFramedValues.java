package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.registry.client.SchemaNotFoundException;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import dev.lakehouse.registry.serde.AvroDecodeException;
import dev.lakehouse.registry.serde.ConfluentWireFormat;
import dev.lakehouse.registry.serde.RecordContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the decoders of Confluent-framed values (magic byte 0, a 4-byte schema id, the body) share: reading the
 * schema id and fetching the schema, with the dead-letter reasons of a tombstone, a bad header, an unknown id and
 * a schema of another language than the pipeline's format.
 */
final class ConfluentFramedValues {

    private ConfluentFramedValues() {
    }

    /**
     * The value's schema id.
     *
     * @throws RecordDecodeException {@code NULL_VALUE}, {@code WRONG_MAGIC_BYTE} or {@code TRUNCATED_PAYLOAD}
     */
    static int schemaId(ConsumerRecord<byte[], byte[]> record) {
        RecordContext context = context(record);
        if (record.value() == null) {
            throw new RecordDecodeException(DeadLetterReason.NULL_VALUE, context + ": the value is null (a "
                    + "tombstone); an append-only table has no row for it", null);
        }
        try {
            return ConfluentWireFormat.schemaId(record.value(), context);
        } catch (AvroDecodeException e) {
            throw new RecordDecodeException(DeadLetterReason.named(e.reason()), e.getMessage(), e);
        }
    }

    /**
     * The schema with {@code id}, which must be of {@code type}.
     *
     * @param format the pipeline's format, named in the reason of a schema of another type
     * @throws RecordDecodeException {@code UNKNOWN_SCHEMA_ID} or {@code WRONG_SCHEMA_TYPE}; registry failures pass
     *     through (transient)
     */
    static TypedSchema schema(SchemaRegistryClient registry, int id, String type, String format,
                              ConsumerRecord<byte[], byte[]> record) {
        TypedSchema schema;
        try {
            schema = registry.typedSchemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new RecordDecodeException(DeadLetterReason.UNKNOWN_SCHEMA_ID, context(record) + ": schema id " + id
                    + " is not in the registry; register the producer's schema or point the pipeline at the right "
                    + "registry", e);
        }
        if (!schema.type().equals(type)) {
            throw new RecordDecodeException(DeadLetterReason.WRONG_SCHEMA_TYPE, context(record) + ": schema id " + id
                    + " is a " + schema.type() + " schema, but the pipeline's format is " + format + "; set the "
                    + "format that matches the producer", null);
        }
        return schema;
    }

    /** {@code registry id <n>} read from the header without any lookup, or empty. Never throws. */
    static String schemaRef(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null || value.length < ConfluentWireFormat.HEADER_SIZE || value[0] != 0) {
            return "";
        }
        int id = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
        return "registry id " + id;
    }

    static RecordContext context(ConsumerRecord<byte[], byte[]> record) {
        return new RecordContext(record.topic(), record.partition(), record.offset());
    }
}
