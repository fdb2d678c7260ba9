package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Change events in the shapes Kafka Connect's JSON converter gives Debezium's envelope. */
class DebeziumEnvelopeTest {

    private static ConsumerRecord<byte[], byte[]> value(String json) {
        return new ConsumerRecord<>("db.public.customers", 0, 9, null, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEventWithKafkaConnectsSchemaAndPayloadOrWithoutGivesItsOperationAndRows() {
        DebeziumEnvelope.Change wrapped = DebeziumEnvelope.parse(value("""
                {"schema": {"type": "struct", "name": "db.public.customers.Envelope"},
                 "payload": {"before": null, "after": {"id": 1, "name": "Ann"}, "source": {"lsn": 5},
                             "op": "c", "ts_ms": 1}}"""));
        assertThat(wrapped.op()).isEqualTo("c");
        assertThat(wrapped.upserts()).isTrue();
        assertThat(wrapped.after().get("name").asText()).isEqualTo("Ann");
        assertThat(wrapped.sourceLsn()).as("source.lsn").isEqualTo(5L);

        DebeziumEnvelope.Change bare = DebeziumEnvelope.parse(value("""
                {"before": {"id": 1, "name": "Ann"}, "after": null, "op": "d", "ts_ms": 2}"""));
        assertThat(bare.upserts()).isFalse();
        assertThat(bare.before().get("id").asLong()).isEqualTo(1);
        assertThat(bare.sourceLsn()).as("no source.lsn").isNull();
        assertThat(DebeziumEnvelope.parse(value("{\"after\": {\"id\": 2}, \"op\": \"r\"}")).upserts()).isTrue();
    }

    @Test
    void whatCannotApplyIsADeadLetterSayingWhy() {
        assertThatThrownBy(() -> DebeziumEnvelope.parse(value("{\"op\": \"t\", \"before\": null, \"after\": null}")))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("TRUNCATE")
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.UNKNOWN_OPERATION));
        assertThatThrownBy(() -> DebeziumEnvelope.parse(value("{\"id\": 1, \"name\": \"Ann\"}")))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("not a Debezium change event")
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.INVALID_JSON));
        assertThatThrownBy(() -> DebeziumEnvelope.parse(value("{\"op\": \"u\", \"after\": null}")))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("without an 'after' row");
        assertThatThrownBy(() -> DebeziumEnvelope.parse(value("not json")))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("not valid JSON");
    }
}
