package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import dev.lakehouse.registry.serde.ConfluentProtobufFormat;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import dev.lakehouse.registry.serde.RecordContext;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes values in Confluent's Protobuf wire format ({@link ConfluentProtobufFormat}): the {@code .proto} schema
 * comes from the registry by id, with the schemas it imports through its references; the message indexes pick
 * the message type; the bytes are parsed as a dynamic message and mapped to the table's columns
 * ({@link ProtobufToAvro}), so a producer's new schema version with new fields adds columns as an Avro writer
 * schema does.
 *
 * <p>Dead letters: a value whose message bytes or indexes do not decode ({@code CORRUPT_PROTOBUF}), whose id is
 * unknown ({@code UNKNOWN_SCHEMA_ID}) or names a schema of another language ({@code WRONG_SCHEMA_TYPE}), and whose
 * schema does not parse or resolve ({@code INCOMPATIBLE_SCHEMA}, naming the problem). Registry failures pass
 * through untouched: they are transient.
 *
 * <p>Used by the pipeline's poll thread only.
 */
public final class ConfluentProtobufDecoder implements RecordDecoder {

    /** The message type and columns of one (schema id, message indexes); the same instances for every record. */
    private record WriterType(Descriptor message, Schema columns) {
    }

    private final SchemaRegistryClient registry;
    private final Map<Integer, FileDescriptor> filesById = new HashMap<>();
    private final Map<String, FileDescriptor> filesByReference = new HashMap<>();
    private final Map<String, WriterType> types = new HashMap<>();
    private final ProtobufToAvro.Rows rows = new ProtobufToAvro.Rows();
    // Consecutive records almost always share their schema and message: one comparison instead of a map lookup.
    private int lastId = -1;
    private int[] lastIndexes;
    private WriterType lastWriter;

    public ConfluentProtobufDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
        return writer(record, header(record)).columns();
    }

    @Override
    public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
        ConfluentProtobufFormat.Header header = header(record);
        WriterType writer = writer(record, header);
        byte[] value = record.value();
        DynamicMessage message;
        try {
            message = DynamicMessage.parseFrom(writer.message(), com.google.protobuf.ByteString.copyFrom(value,
                    header.messageOffset(), value.length - header.messageOffset()));
        } catch (InvalidProtocolBufferException e) {
            throw new RecordDecodeException(DeadLetterReason.CORRUPT_PROTOBUF, context(record) + ": the value does "
                    + "not decode as " + writer.message().getFullName() + ": " + e.getMessage(), e);
        }
        return rows.record(message, tableSchema);
    }

    @Override
    public String writerSchemaRef(ConsumerRecord<byte[], byte[]> record) {
        return ConfluentFramedValues.schemaRef(record);
    }

    private ConfluentProtobufFormat.Header header(ConsumerRecord<byte[], byte[]> record) {
        ConfluentFramedValues.schemaId(record);
        try {
            return ConfluentProtobufFormat.header(record.value());
        } catch (IllegalArgumentException e) {
            throw new RecordDecodeException(DeadLetterReason.CORRUPT_PROTOBUF, context(record) + ": "
                    + e.getMessage(), e);
        }
    }

    private WriterType writer(ConsumerRecord<byte[], byte[]> record, ConfluentProtobufFormat.Header header) {
        int id = ConfluentFramedValues.schemaId(record);
        if (id == lastId && Arrays.equals(header.messageIndexes(), lastIndexes)) {
            return lastWriter;
        }
        String key = id + Arrays.toString(header.messageIndexes());
        WriterType writer = types.get(key);
        if (writer == null) {
            FileDescriptor file = file(id, record);
            Descriptor message;
            try {
                message = ConfluentProtobufFormat.message(file, header.messageIndexes());
            } catch (IllegalArgumentException e) {
                throw new RecordDecodeException(DeadLetterReason.CORRUPT_PROTOBUF, context(record) + ": schema id "
                        + id + ": " + e.getMessage(), e);
            }
            writer = new WriterType(message, ProtobufToAvro.recordSchema(message));
            types.put(key, writer);
        }
        lastId = id;
        lastIndexes = header.messageIndexes();
        lastWriter = writer;
        return writer;
    }

    private FileDescriptor file(int id, ConsumerRecord<byte[], byte[]> record) {
        FileDescriptor cached = filesById.get(id);
        if (cached != null) {
            return cached;
        }
        RecordContext context = context(record);
        TypedSchema schema = ConfluentFramedValues.schema(registry, id, TypedSchema.PROTOBUF, "protobuf", record);
        FileDescriptor file;
        try {
            file = build("schema-" + id + ".proto", schema);
        } catch (IllegalArgumentException e) {
            throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, context + ": Protobuf schema id "
                    + id + " cannot be used: " + e.getMessage(), e);
        }
        filesById.put(id, file);
        return file;
    }

    /** The descriptor of a schema, its references built first (each referenced version once). */
    private FileDescriptor build(String name, TypedSchema schema) {
        Map<String, FileDescriptor> imports = new HashMap<>();
        for (TypedSchema.Reference reference : schema.references()) {
            String key = reference.subject() + "/" + reference.version();
            FileDescriptor imported = filesByReference.get(key);
            if (imported == null) {
                TypedSchema referenced;
                try {
                    referenced = registry.typedVersion(reference.subject(), reference.version());
                } catch (dev.lakehouse.registry.client.SubjectNotFoundException
                         | dev.lakehouse.registry.client.VersionNotFoundException e) {
                    throw new IllegalArgumentException("its reference '" + reference.name() + "' names version "
                            + reference.version() + " of subject '" + reference.subject() + "', which the registry "
                            + "does not have", e);
                }
                imported = build(reference.name(), referenced);
                filesByReference.put(key, imported);
            }
            imports.put(reference.name(), imported);
        }
        return ProtobufSchemas.descriptor(name, schema.text(), imports::get);
    }

    private static RecordContext context(ConsumerRecord<byte[], byte[]> record) {
        return ConfluentFramedValues.context(record);
    }

    @Override
    public DeadLetterReason undecodableReason() {
        return DeadLetterReason.CORRUPT_PROTOBUF;
    }
}
