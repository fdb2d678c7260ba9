package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KafkaKeysTest {

    private static final Schema TABLE = new Schema.Parser().parse("""
            {"type": "record", "name": "T", "fields": [
              {"name": "id", "type": ["null", "long"]}, {"name": "region", "type": ["null", "string"]},
              {"name": "name", "type": ["null", "string"]}]}""");

    private static final RecordDecoder NO_FRAMED_KEYS = new RecordDecoder() {
        @Override
        public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
            throw new UnsupportedOperationException();
        }

        @Override
        public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DeadLetterReason undecodableReason() {
            return DeadLetterReason.CORRUPT_AVRO;
        }
    };

    private static ConsumerRecord<byte[], byte[]> tombstone(String key) {
        return new ConsumerRecord<>("t", 0, 5, key == null ? null : key.getBytes(StandardCharsets.UTF_8), null);
    }

    private static GenericRecord key(String kafkaKey, List<String> columns) {
        return KafkaKeys.keyRow(tombstone(kafkaKey), NO_FRAMED_KEYS, TABLE, columns);
    }

    @Test
    void aTextKeyIsTheSingleKeyColumnInItsType() {
        assertThat(key("42", List.of("id")).get("id")).isEqualTo(42L);
        assertThat(key("eu-west", List.of("region")).get("region")).isEqualTo("eu-west");
        assertThat(key("42", List.of("region")).get("region")).isEqualTo("42");
    }

    @Test
    void aJsonKeyGivesItsFieldsByNameAlsoInsideKafkaConnectsSchemaAndPayload() {
        GenericRecord plain = key("{\"id\": 7, \"region\": \"eu\"}", List.of("id", "region"));
        assertThat(plain.get("id")).isEqualTo(7L);
        assertThat(plain.get("region")).isEqualTo("eu");
        GenericRecord connect = key("{\"schema\": {\"type\": \"struct\"}, \"payload\": {\"id\": 8}}", List.of("id"));
        assertThat(connect.get("id")).isEqualTo(8L);
        assertThat(connect.get("name")).as("only key columns are set").isNull();
    }

    @Test
    void aTombstoneWithoutAKeyOrWithAKeyThatLacksAColumnIsADeadLetterNamingIt() {
        assertThatThrownBy(() -> key(null, List.of("id"))).isInstanceOf(RecordDecodeException.class)
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason()).isEqualTo(DeadLetterReason.MISSING_KEY))
                .hasMessageContaining("t-0@5");
        assertThatThrownBy(() -> key("{\"id\": 7}", List.of("id", "region"))).isInstanceOf(RecordDecodeException.class)
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                        .isEqualTo(DeadLetterReason.UNDECODABLE_KEY))
                .hasMessageContaining("'region'");
        assertThatThrownBy(() -> key("not-a-number", List.of("id"))).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("'not-a-number'").hasMessageContaining("'id'");
    }
}
