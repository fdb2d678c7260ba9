package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes values written by Kafka Connect's JSON converter with schemas ({@code schemas.enable=true}, its
 * default): each value carries the Connect schema of its payload, which becomes the table's columns (see
 * {@link ConnectJson} for the types), so a source connector's new column (an {@code ALTER TABLE ... ADD COLUMN}
 * under Debezium) adds a column to the table as a new Avro writer schema does. The pipeline needs no
 * {@code value-schema-file}.
 *
 * <p>Writer schemas are remembered by their Connect schema's text (the same text gives the same {@link Schema}
 * instance, as {@link RecordDecoder} requires), at most {@value #REMEMBERED_SCHEMAS} of them. A value without the
 * wrapper ({@code schemas.enable=false}) has no schema to read: an {@code INVALID_JSON} dead letter saying to
 * enable the converter's schemas or to configure {@code value-schema-file}. Not thread-safe (one poll thread).
 */
public final class ConnectJsonDecoder implements RecordDecoder {

    static final int REMEMBERED_SCHEMAS = 64;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, WriterSchema> writerSchemas = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WriterSchema> eldest) {
            return size() > REMEMBERED_SCHEMAS;
        }
    };

    /** A Connect schema's table form, and whether its payloads hold values {@link ConnectJson#normalize} rewrites. */
    private record WriterSchema(Schema avro, boolean normalizes) {
    }

    /** The last record parsed: the engine asks for its writer schema and then decodes it, parsed once. */
    private ConsumerRecord<byte[], byte[]> parsedRecord;
    private ConnectJson.Wrapped parsed;
    private WriterSchema parsedSchema;

    @Override
    public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
        return schemaOf(record).avro();
    }

    private WriterSchema schemaOf(ConsumerRecord<byte[], byte[]> record) {
        ConnectJson.Wrapped value = parse(record);
        if (parsedSchema != null) {
            return parsedSchema;
        }
        String text = value.schema().toString();
        WriterSchema schema = writerSchemas.get(text);
        if (schema == null) {
            try {
                schema = new WriterSchema(ConnectJson.avroSchema(value.schema(), "Row"),
                        ConnectJson.needsNormalizing(value.schema()));
            } catch (IllegalArgumentException e) {
                throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, where(record) + ": the value's "
                        + "Kafka Connect schema has no table form: " + e.getMessage(), e);
            }
            writerSchemas.put(text, schema);
        }
        parsedSchema = schema;
        return schema;
    }

    @Override
    public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
        ConnectJson.Wrapped value = parse(record);
        WriterSchema writerSchema = schemaOf(record);
        Schema writer = writerSchema.avro();
        if (!value.payload().isObject()) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where(record) + ": the payload must be a "
                    + "JSON object, got " + value.payload().getNodeType(), null);
        }
        try {
            JsonNode payload = writerSchema.normalizes()
                    ? ConnectJson.normalize(value.schema(), value.payload()) : value.payload();
            GenericRecord row = JsonToAvro.record(tableSchema, payload);
            String missing = JsonRecordDecoder.firstMissingRequired(writer, row, "");
            if (missing != null) {
                throw new RecordDecodeException(DeadLetterReason.NULL_IN_REQUIRED_COLUMN, where(record) + ": field '"
                        + missing + "' is missing or null, but its Kafka Connect schema says it is not optional", null);
            }
            return row;
        } catch (JsonToAvro.MismatchException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where(record) + ": field '" + e.path()
                    + "' " + e.getMessage() + "; the payload does not match its own Kafka Connect schema", null);
        }
    }

    @Override
    public String writerSchemaRef(ConsumerRecord<byte[], byte[]> record) {
        try {
            ConnectJson.Wrapped value = parse(record);
            JsonNode name = value.schema().get("name");
            JsonNode version = value.schema().get("version");
            return name == null ? "" : "connect schema " + name.asText() + (version == null ? "" : " v" + version);
        } catch (RecordDecodeException e) {
            return "";
        }
    }

    @Override
    public DeadLetterReason undecodableReason() {
        return DeadLetterReason.INVALID_JSON;
    }

    private ConnectJson.Wrapped parse(ConsumerRecord<byte[], byte[]> record) {
        if (record == parsedRecord) {
            return parsed;
        }
        String where = where(record);
        JsonNode node = JsonValues.parse(mapper, record, where);
        ConnectJson.Wrapped wrapped = ConnectJson.unwrap(node);
        if (wrapped == null) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value carries no Kafka "
                    + "Connect schema (an object with just 'schema' and 'payload'), and the pipeline has no "
                    + "value-schema-file to read it with; enable the converter's schemas (value.converter"
                    + ".schemas.enable=true) or configure value-schema-file", null);
        }
        parsedRecord = record;
        parsed = wrapped;
        parsedSchema = null;
        return wrapped;
    }

    private static String where(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
