package dev.lakehouse.ingest.deadletter;

import dev.lakehouse.ingest.deadletter.DeadLetterTable.StoredDeadLetter;
import dev.lakehouse.table.DataFile;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * How a dead letter is a row of the dead-letter table: the table's schema (source coordinates, the original key,
 * value and headers, the reason, the bookkeeping and the replay state) and the conversions both ways. The table's
 * storage, reads and replay marks are {@link DeadLetterTable}'s.
 */
final class DeadLetterRows {

    /** The dead-letter table's schema; columns are only ever added to it. */
    static final Schema SCHEMA = buildSchema();

    private DeadLetterRows() {
    }

    /** A letter's identity: its source coordinates, {@code topic/partition/offset}. */
    static String key(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    /** The identity of the letter a row (whole or projected with the source columns) holds. */
    static String key(GenericRecord row) {
        return key(str(row.get("source_topic")), (Integer) row.get("source_partition"),
                (Long) row.get("source_offset"));
    }

    static GenericRecord toRow(Schema schema, DeadLetter letter, String pipeline, String instanceId,
                                       long batchId, long now) {
        GenericRecord row = new GenericData.Record(schema);
        row.put("pipeline", pipeline);
        row.put("source_topic", letter.topic());
        row.put("source_partition", letter.partition());
        row.put("source_offset", letter.offset());
        row.put("source_timestamp", letter.timestamp() < 0 ? null : letter.timestamp());
        row.put("timestamp_type", letter.timestampType());
        row.put("key", letter.key() == null ? null : ByteBuffer.wrap(letter.key()));
        row.put("value", letter.value() == null ? null : ByteBuffer.wrap(letter.value()));
        Schema headerSchema = elementSchema(schema.getField("headers").schema());
        List<GenericRecord> headers = new ArrayList<>();
        for (DeadLetter.HeaderValue h : letter.headers()) {
            GenericRecord header = new GenericData.Record(headerSchema);
            header.put("key", h.key());
            header.put("value", h.value() == null ? null : ByteBuffer.wrap(h.value()));
            headers.add(header);
        }
        row.put("headers", headers);
        row.put("reason", letter.reason().name());
        row.put("message", letter.message());
        row.put("writer_schema", letter.writerSchema().isEmpty() ? null : letter.writerSchema());
        row.put("batch_id", batchId);
        row.put("instance_id", instanceId);
        row.put("dead_lettered_at", now);
        return row;
    }

    static StoredDeadLetter fromRow(GenericRecord row, DataFile file) {
        List<DeadLetter.HeaderValue> headers = new ArrayList<>();
        Object rawHeaders = row.get("headers");
        if (rawHeaders instanceof List<?> list) {
            for (Object o : list) {
                GenericRecord h = (GenericRecord) o;
                headers.add(new DeadLetter.HeaderValue(str(h.get("key")), bytes(h.get("value"))));
            }
        }
        Long timestamp = (Long) row.get("source_timestamp");
        DeadLetter letter = new DeadLetter(str(row.get("source_topic")), (Integer) row.get("source_partition"),
                (Long) row.get("source_offset"), timestamp == null ? -1 : timestamp, str(row.get("timestamp_type")),
                bytes(row.get("key")), bytes(row.get("value")), headers, DeadLetterReason.named(str(row.get("reason"))),
                str(row.get("message")), str(row.get("writer_schema")));
        Long replayedAt = (Long) row.get("replayed_at");
        Long deadAt = (Long) row.get("dead_lettered_at");
        return new StoredDeadLetter(letter, str(row.get("pipeline")), (Long) row.get("batch_id"),
                deadAt == null ? null : Instant.ofEpochMilli(deadAt), ReplayState.ofStored(str(row.get("replay_state"))),
                (Long) row.get("replay_id"), replayedAt == null ? null : Instant.ofEpochMilli(replayedAt),
                (Long) row.get("replay_table_version"), file);
    }

    static String str(Object value) {
        return value == null ? null : value.toString();
    }

    static byte[] bytes(Object value) {
        if (value == null) {
            return null;
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    static Schema elementSchema(Schema arrayOrNullable) {
        Schema array = arrayOrNullable.isUnion() ? arrayOrNullable.getTypes().stream()
                .filter(s -> s.getType() == Schema.Type.ARRAY).findFirst().orElseThrow() : arrayOrNullable;
        Schema element = array.getElementType();
        return element.isUnion() ? element.getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD)
                .findFirst().orElseThrow() : element;
    }

    static Schema buildSchema() {
        Schema millis = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema header = SchemaBuilder.record("Header").namespace("dev.lakehouse.deadletter").fields()
                .requiredString("key").optionalBytes("value").endRecord();
        return SchemaBuilder.record("DeadLetter").namespace("dev.lakehouse.deadletter").fields()
                .requiredString("pipeline")
                .requiredString("source_topic")
                .requiredInt("source_partition")
                .requiredLong("source_offset")
                .name("source_timestamp").type(nullable(millis)).withDefault(null)
                .requiredString("timestamp_type")
                .optionalBytes("key")
                .optionalBytes("value")
                .name("headers").type().array().items(header).noDefault()
                .requiredString("reason")
                .requiredString("message")
                .optionalString("writer_schema")
                .requiredLong("batch_id")
                .requiredString("instance_id")
                .name("dead_lettered_at").type(millis).noDefault()
                .optionalString("replay_state")
                .optionalLong("replay_id")
                .name("replayed_at").type(nullable(millis)).withDefault(null)
                .optionalLong("replay_table_version")
                .endRecord();
    }

    static Schema nullable(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }
}
