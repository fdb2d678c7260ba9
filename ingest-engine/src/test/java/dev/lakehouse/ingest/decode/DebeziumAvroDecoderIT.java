package dev.lakehouse.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Debezium's envelope in the shape Kafka Connect's Avro converter writes it (Confluent's documented mapping of the
 * Connect schema Debezium's PostgreSQL connector gives a table), registered in a real registry and framed in the
 * Confluent wire format: every operation read into its change, the row decoded into the columns Connect's JSON
 * converter's events give, and each event that cannot apply a dead letter with its reason.
 */
@ExtendWith(SchemaRegistryExtension.class)
class DebeziumAvroDecoderIT {

    private static final String TOPIC = "db.public.customers";
    private static final Schema ENVELOPE = new Schema.Parser().parse("""
            {"type": "record", "name": "Envelope", "namespace": "db.public.customers", "fields": [
              {"name": "before", "type": ["null", {"type": "record", "name": "Value", "fields": [
                {"name": "id", "type": "int"},
                {"name": "balance", "type": ["null", {"type": "bytes", "scale": 2, "precision": 12,
                  "connect.version": 1, "connect.parameters": {"scale": "2", "connect.decimal.precision": "12"},
                  "connect.name": "org.apache.kafka.connect.data.Decimal", "logicalType": "decimal"}],
                  "default": null},
                {"name": "created", "type": ["null", {"type": "string", "connect.version": 1,
                  "connect.name": "io.debezium.time.ZonedTimestamp"}], "default": null}],
                "connect.name": "db.public.customers.Value"}], "default": null},
              {"name": "after", "type": ["null", "Value"], "default": null},
              {"name": "source", "type": {"type": "record", "name": "Source", "namespace":
                "io.debezium.connector.postgresql", "fields": [
                {"name": "ts_ms", "type": "long"}, {"name": "lsn", "type": ["null", "long"], "default": null}]}},
              {"name": "op", "type": "string"},
              {"name": "ts_ms", "type": ["null", "long"], "default": null}],
             "connect.name": "db.public.customers.Envelope", "connect.version": 2}""");

    private SchemaRegistryClient registry;
    private ConfluentAvroSerializer serializer;
    private DebeziumAvroDecoder decoder;
    private long offset;

    @BeforeEach
    void connect(SchemaRegistryServer server) {
        registry = SchemaRegistryClient.connect(RegistryClientConfig.builder(server.url()).build());
        serializer = ConfluentAvroSerializer.builder(registry).build();
        decoder = new DebeziumAvroDecoder(registry);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private GenericRecord row(int id, String balance) {
        GenericRecord row = new GenericData.Record(ENVELOPE.getField("after").schema().getTypes().get(1));
        row.put("id", id);
        row.put("balance", balance == null ? null
                : ByteBuffer.wrap(new BigDecimal(balance).unscaledValue().toByteArray()));
        row.put("created", "2026-03-01T10:15:30.123456Z");
        return row;
    }

    private ConsumerRecord<byte[], byte[]> event(String op, GenericRecord before, GenericRecord after) {
        GenericRecord source = new GenericData.Record(ENVELOPE.getField("source").schema());
        source.put("ts_ms", 1_772_000_000_000L);
        source.put("lsn", 4_242L + offset);
        GenericRecord envelope = new GenericData.Record(ENVELOPE);
        envelope.put("before", before);
        envelope.put("after", after);
        envelope.put("source", source);
        envelope.put("op", op);
        envelope.put("ts_ms", 1_772_000_000_500L);
        return new ConsumerRecord<>(TOPIC, 0, offset++, null, serializer.serialize(TOPIC, RecordPart.VALUE, envelope));
    }

    @Test
    void everyOperationIsReadAndItsRowDecodedAsTheJsonConvertersWouldBe() {
        ConsumerRecord<byte[], byte[]> created = event("c", null, row(7, "-1234.56"));
        DebeziumEnvelope.Change change = decoder.changeEvent(created);
        assertThat(change.op()).isEqualTo("c");
        assertThat(change.upserts()).isTrue();
        assertThat(change.sourceTimeMillis()).isEqualTo(1_772_000_000_000L);
        assertThat(change.sourceLsn()).isEqualTo(4_242L);

        ConsumerRecord<byte[], byte[]> rowRecord = new ConsumerRecord<>(TOPIC, 0, created.offset(), null,
                change.rowValue());
        Schema writer = decoder.writerSchema(rowRecord);
        assertThat(writer.getField("balance").schema().getTypes().get(1).getLogicalType())
                .isEqualTo(org.apache.avro.LogicalTypes.decimal(12, 2));
        assertThat(writer.getField("created").schema().getTypes().get(1).getLogicalType())
                .as("a ZonedTimestamp is a timestamp, as from the JSON converter")
                .isEqualTo(org.apache.avro.LogicalTypes.timestampMicros());
        GenericRecord decoded = decoder.decode(rowRecord, writer);
        assertThat(decoded.get("id")).isEqualTo(7);
        assertThat(new BigDecimal(new java.math.BigInteger(((ByteBuffer) decoded.get("balance")).array()), 2))
                .isEqualByComparingTo("-1234.56");
        assertThat(decoded.get("created")).isEqualTo(1_772_360_130_123_456L);
        assertThat(decoder.writerSchemaRef(created)).startsWith("registry id ");

        DebeziumEnvelope.Change deleted = decoder.changeEvent(event("d", row(7, null), null));
        assertThat(deleted.upserts()).isFalse();
        assertThat(deleted.before().get("id").asInt()).as("the deleted key, from before").isEqualTo(7);
        assertThat(decoder.changeEvent(event("r", null, row(8, "1.00"))).upserts()).isTrue();
        assertThat(decoder.changeEvent(event("u", row(8, "1.00"), row(8, "2.00"))).after().get("id").asInt())
                .isEqualTo(8);
    }

    @Test
    void whatCannotApplyIsADeadLetterSayingWhy() {
        assertThatThrownBy(() -> decoder.changeEvent(event("t", null, null)))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("TRUNCATE")
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.UNKNOWN_OPERATION));
        assertThatThrownBy(() -> decoder.changeEvent(event("c", null, null)))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("without an 'after' row")
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.NOT_A_RECORD));
        Schema plain = new Schema.Parser().parse("""
                {"type": "record", "name": "Customer", "fields": [{"name": "id", "type": "int"}]}""");
        GenericRecord customer = new GenericData.Record(plain);
        customer.put("id", 1);
        ConsumerRecord<byte[], byte[]> notAnEvent = new ConsumerRecord<>("plain-customers", 0, 0, null,
                serializer.serialize("plain-customers", RecordPart.VALUE, customer));
        assertThatThrownBy(() -> decoder.changeEvent(notAnEvent))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("is not Debezium's envelope")
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA));
        ConsumerRecord<byte[], byte[]> json = new ConsumerRecord<>(TOPIC, 0, 99, null, "{\"op\": \"c\"}".getBytes());
        assertThatThrownBy(() -> decoder.changeEvent(json)).isInstanceOf(RecordDecodeException.class)
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.WRONG_MAGIC_BYTE));
    }
}
