package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import dev.lakehouse.registry.serde.ConfluentWireFormat;
import dev.lakehouse.registry.serde.RecordContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes values in Confluent's JSON Schema wire format ({@code 0x00}, a 4-byte schema id, then the JSON text):
 * the JSON schema comes from the registry by id, each value is validated against it (draft 7 unless the schema
 * names its dialect in {@code $schema}), and its columns come from the schema ({@link JsonSchemaToAvro}), so a
 * producer's new schema version with added properties evolves the table as an Avro writer schema does.
 *
 * <p>Dead letters: a value that is not JSON ({@code INVALID_JSON}), that breaks its schema ({@code SCHEMA_VIOLATION},
 * naming the paths of the offending fields), whose id is unknown ({@code UNKNOWN_SCHEMA_ID}) or names a schema of
 * another language ({@code WRONG_SCHEMA_TYPE}), and whose JSON schema has no table form (a property that cannot be
 * a column name: {@code INCOMPATIBLE_SCHEMA}). Registry failures pass through untouched: they are transient.
 *
 * <p>Used by the pipeline's poll thread only.
 */
public final class ConfluentJsonSchemaDecoder implements RecordDecoder {

    /** How many validation errors a dead letter's reason lists. */
    private static final int ERRORS_REPORTED = 3;

    /** What one schema id decodes with; the same instances for every record of that id. */
    private record WriterSchema(Schema avro, com.networknt.schema.Schema validator) {
    }

    private final SchemaRegistryClient registry;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SchemaRegistry validators = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    private final Map<Integer, WriterSchema> byId = new HashMap<>();
    // Consecutive records almost always share their writer schema: one comparison instead of a map lookup.
    private int lastId = -1;
    private WriterSchema lastWriter;

    public ConfluentJsonSchemaDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
        return writer(record).avro();
    }

    @Override
    public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
        WriterSchema writer = writer(record);
        byte[] value = record.value();
        JsonNode node;
        try {
            node = mapper.readTree(value, ConfluentWireFormat.HEADER_SIZE, value.length - ConfluentWireFormat
                    .HEADER_SIZE);
        } catch (JsonProcessingException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, context(record) + ": the value after "
                    + "the wire-format header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, context(record) + ": the value is not "
                    + "JSON: " + e, e);
        }
        if (node == null || !node.isObject()) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, context(record) + ": the value must be "
                    + "a JSON object, got " + (node == null ? "nothing" : node.getNodeType()), null);
        }
        List<Error> errors = writer.validator().validate(node);
        if (!errors.isEmpty()) {
            throw new RecordDecodeException(DeadLetterReason.SCHEMA_VIOLATION, context(record) + ": the value "
                    + "breaks JSON schema " + writerSchemaRef(record) + ": " + errors.stream().limit(ERRORS_REPORTED)
                    .map(ConfluentJsonSchemaDecoder::describe).collect(Collectors.joining("; "))
                    + (errors.size() > ERRORS_REPORTED ? " (and " + (errors.size() - ERRORS_REPORTED) + " more)" : "")
                    + "; fix the producer, or evolve the schema", null);
        }
        try {
            return JsonToAvro.record(tableSchema, node);
        } catch (JsonToAvro.MismatchException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, context(record) + ": field '" + e.path()
                    + "' " + e.getMessage(), null);
        }
    }

    @Override
    public String writerSchemaRef(ConsumerRecord<byte[], byte[]> record) {
        return ConfluentFramedValues.schemaRef(record);
    }

    private WriterSchema writer(ConsumerRecord<byte[], byte[]> record) {
        int id = ConfluentFramedValues.schemaId(record);
        if (id == lastId) {
            return lastWriter;
        }
        WriterSchema cached = byId.get(id);
        if (cached != null) {
            lastId = id;
            lastWriter = cached;
            return cached;
        }
        RecordContext context = context(record);
        TypedSchema typed = ConfluentFramedValues.schema(registry, id, TypedSchema.JSON, "json-schema", record);
        WriterSchema writer;
        try {
            JsonNode jsonSchema = mapper.readTree(typed.text());
            writer = new WriterSchema(JsonSchemaToAvro.recordSchema(jsonSchema, "Value"),
                    validators.getSchema(typed.text()));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, context + ": JSON schema id " + id
                    + " has no table form: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, context + ": JSON schema id " + id
                    + " cannot be used to validate: " + e.getMessage(), e);
        }
        byId.put(id, writer);
        lastId = id;
        lastWriter = writer;
        return writer;
    }

    private static String describe(Error error) {
        return "at " + error.getInstanceLocation() + ": " + error.getMessage(); // a JSON pointer to the field
    }

    private static RecordContext context(ConsumerRecord<byte[], byte[]> record) {
        return ConfluentFramedValues.context(record);
    }

    @Override
    public DeadLetterReason undecodableReason() {
        return DeadLetterReason.SCHEMA_VIOLATION;
    }
}
