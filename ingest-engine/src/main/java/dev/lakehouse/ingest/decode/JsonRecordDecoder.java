package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import org.apache.avro.Schema;
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
 * A value in Kafka Connect's JSON wrapper ({@code {"schema": ..., "payload": {...}}}, unless the value schema has
 * a field named {@code payload}) is read as its payload, its Connect logical types (base64 decimals, Debezium's
 * times) rewritten as {@link ConnectJson} says.
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
        JsonNode node = JsonValues.parse(mapper, record, where);
        if (node == null || !node.isObject()) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value must be a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType()), null);
        }
        ConnectJson.Wrapped wrapped = valueSchema.getField("payload") == null ? ConnectJson.unwrap(node) : null;
        GenericRecord row;
        try {
            if (wrapped != null) {
                // Kafka Connect's JSON converter with schemas: the row is the payload, its logical types read by
                // the schema beside it.
                if (!wrapped.payload().isObject()) {
                    throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the payload must be a "
                            + "JSON object, got " + wrapped.payload().getNodeType(), null);
                }
                node = ConnectJson.needsNormalizing(wrapped.schema())
                        ? ConnectJson.normalize(wrapped.schema(), wrapped.payload()) : wrapped.payload();
            }
            row = JsonToAvro.record(tableSchema, node);
        } catch (JsonToAvro.MismatchException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": field '" + e.path() + "' " + e.getMessage()
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
    static String firstMissingRequired(Schema schema, GenericRecord row, String path) {
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

    @Override
    public DeadLetterReason undecodableReason() {
        return DeadLetterReason.INVALID_JSON;
    }
}
