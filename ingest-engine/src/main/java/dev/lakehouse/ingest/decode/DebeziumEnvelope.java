package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Debezium's change event as Kafka Connect's JSON converter writes it: {@code {"schema": ..., "payload": {...}}}
 * with {@code schemas.enable=true} (the default), or the payload alone without; the payload holds {@code before},
 * {@code after}, {@code source}, {@code op} and {@code ts_ms}. Events of other converters are read into the same
 * {@link Change}, in Connect's JSON ({@link DebeziumAvroDecoder}), so every converter's rows become the same columns.
 */
public final class DebeziumEnvelope {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One change.
     *
     * @param op Debezium's operation: {@code c} create, {@code u} update, {@code d} delete, {@code r} a snapshot
     *           read, {@code t} truncate, {@code m} a logical-decoding message
     * @param before the row before the change (JSON null or missing when there is none)
     * @param after the row after it
     * @param rowSchema the Kafka Connect schema of the rows ({@code after}'s field schema) when the converter wrote
     *                  schemas, else null
     * @param sourceTimeMillis when the source database made the change ({@code source.ts_ms}, else the event's
     *                         {@code ts_ms}), or null when the event says neither
     * @param sourceLsn the change's position in the source database's log ({@code source.lsn}: PostgreSQL's
     *                  log sequence number, which grows with every change), or null when the event has none
     */
    public record Change(String op, JsonNode before, JsonNode after, JsonNode rowSchema, Long sourceTimeMillis,
                         Long sourceLsn) {

        /** Whether the change makes {@link #after} the key's row. */
        public boolean upserts() {
            return op.equals("c") || op.equals("u") || op.equals("r");
        }

        /**
         * The row as a value of its own, for a {@link RecordDecoder}: {@code after} in Kafka Connect's wrapper with
         * its schema when the event had one (so decoders read its logical types and its columns), else alone.
         */
        public byte[] rowValue() {
            JsonNode value = after;
            if (rowSchema != null) {
                com.fasterxml.jackson.databind.node.ObjectNode wrapper = JSON.createObjectNode();
                wrapper.set("schema", rowSchema);
                wrapper.set("payload", after);
                value = wrapper;
            }
            try {
                return JSON.writeValueAsBytes(value);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a parsed JSON tree is always written", e);
            }
        }
    }

    private DebeziumEnvelope() {
    }

    /**
     * Reads a non-null value's change event.
     *
     * @throws RecordDecodeException {@code INVALID_JSON} when the value is not such an event,
     *         {@code UNKNOWN_OPERATION} when its {@code op} is none Debezium writes, or one without a row
     */
    public static Change parse(ConsumerRecord<byte[], byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        JsonNode value;
        try {
            value = JSON.readTree(record.value());
        } catch (IOException e) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value is not valid JSON, so "
                    + "not a Debezium change event: " + e.getMessage(), e);
        }
        ConnectJson.Wrapped wrapped = ConnectJson.unwrap(value);
        JsonNode payload = wrapped != null ? wrapped.payload() : value;
        if (payload == null || !payload.isObject() || !payload.path("op").isTextual()) {
            throw new RecordDecodeException(DeadLetterReason.INVALID_JSON, where + ": the value is not a Debezium "
                    + "change event (an object with op, before and after, or Kafka Connect's schema and payload "
                    + "around one); check the connector's converter, or set source.envelope: none", null);
        }
        return change(where, payload, wrapped == null ? null : rowSchema(wrapped.schema()),
                DeadLetterReason.INVALID_JSON);
    }

    /**
     * The change an event's payload describes, in Kafka Connect's JSON: {@code op}, {@code before}, {@code after},
     * {@code source.ts_ms} (else {@code ts_ms}) and {@code source.lsn}. Shared by every converter's reading.
     *
     * @param rowSchema the Connect schema of {@code after} when the event carries one, else null
     * @param malformed the dead-letter reason of a create, update or read without its row, in the converter's terms
     * @throws RecordDecodeException {@code UNKNOWN_OPERATION} for an {@code op} Debezium writes for no row,
     *         {@code malformed} for a create, update or read without its row
     */
    static Change change(String where, JsonNode payload, JsonNode rowSchema, DeadLetterReason malformed) {
        String op = payload.get("op").asText();
        JsonNode time = payload.path("source").path("ts_ms");
        if (!time.isIntegralNumber()) {
            time = payload.path("ts_ms");
        }
        JsonNode lsn = payload.path("source").path("lsn");
        Change change = new Change(op, payload.path("before"), payload.path("after"), rowSchema,
                time.isIntegralNumber() ? time.longValue() : null, lsn.isIntegralNumber() ? lsn.longValue() : null);
        switch (op) {
            case "c", "u", "r" -> {
                if (!change.after().isObject()) {
                    throw new RecordDecodeException(malformed, where + ": a Debezium '" + op
                            + "' event without an 'after' row", null);
                }
            }
            case "d" -> {
                // The key comes from 'before', or from the Kafka key when the table's replica identity left it out.
            }
            default -> throw new RecordDecodeException(DeadLetterReason.UNKNOWN_OPERATION, where + ": Debezium "
                    + "operation '" + op + "' is not applied to a keyed table (c, u, r and d are); "
                    + (op.equals("t") ? "a TRUNCATE must be replayed by hand (delete the table's rows with another "
                    + "engine)" : "such events carry no row"), null);
        }
        return change;
    }

    /** The schema of the envelope's {@code after} field (a struct), or null when the envelope's schema lacks it. */
    private static JsonNode rowSchema(JsonNode envelopeSchema) {
        for (JsonNode field : envelopeSchema.path("fields")) {
            if ("after".equals(field.path("field").asText()) && "struct".equals(field.path("type").asText())) {
                return field;
            }
        }
        return null;
    }
}
