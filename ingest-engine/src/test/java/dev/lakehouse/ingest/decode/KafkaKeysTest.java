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

    private static final RecordDecoder NO_FRAMED_KEYS = decodingKeysAs(null);

    /** A decoder whose Confluent-framed keys decode to {@code key} (null: it reads no framed keys). */
    private static RecordDecoder decodingKeysAs(Object key) {
        return new RecordDecoder() {
            @Override
            public Schema writerSchema(ConsumerRecord<byte[], byte[]> record) {
                throw new UnsupportedOperationException();
            }

            @Override
            public GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Object decodeFramedKey(ConsumerRecord<byte[], byte[]> record) {
                return key;
            }

            @Override
            public DeadLetterReason undecodableReason() {
                return DeadLetterReason.CORRUPT_AVRO;
            }
        };
    }

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

    @Test
    void theKeyOfATableWithoutTableKeyIsTheKafkaKeysFieldsInTheirOrder() {
        assertThat(KafkaKeys.fieldNames(tombstone("{\"region\": \"eu\", \"id\": 7}"), NO_FRAMED_KEYS))
                .containsExactly("region", "id");
        assertThat(KafkaKeys.fieldNames(tombstone("{\"schema\": {\"type\": \"struct\"}, \"payload\": "
                + "{\"order_id\": 8, \"line\": 2}}"), NO_FRAMED_KEYS)).as("Kafka Connect's JSON converter")
                .containsExactly("order_id", "line");
        byte[] body = "{\"id\": 9}".getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[5 + body.length]; // JSON Schema's serializer: magic 0, schema id 3, the object
        framed[4] = 3;
        System.arraycopy(body, 0, framed, 5, body.length);
        assertThat(KafkaKeys.fieldNames(new ConsumerRecord<>("t", 0, 5, framed, null), NO_FRAMED_KEYS))
                .containsExactly("id");
        Schema keySchema = new Schema.Parser().parse("""
                {"type": "record", "name": "K", "fields": [{"name": "tenant", "type": "string"},
                  {"name": "id", "type": "long"}]}""");
        GenericRecord avroKey = new org.apache.avro.generic.GenericData.Record(keySchema);
        RecordDecoder avroKeys = decodingKeysAs(avroKey);
        assertThat(KafkaKeys.fieldNames(tombstone("framed"), avroKeys)).containsExactly("tenant", "id");
    }

    @Test
    void aKafkaKeyWithoutFieldsCannotKeyATableAndSaysToSetTableKey() {
        assertThatThrownBy(() -> KafkaKeys.fieldNames(tombstone(null), NO_FRAMED_KEYS))
                .isInstanceOf(RecordDecodeException.class)
                .satisfies(e -> assertThat(((RecordDecodeException) e).reason()).isEqualTo(DeadLetterReason.MISSING_KEY))
                .hasMessageContaining("t-0@5").hasMessageContaining("set table.key");
        for (String primitive : List.of("42", "eu-west", "\"quoted\"", "[1, 2]", "{}")) {
            assertThatThrownBy(() -> KafkaKeys.fieldNames(tombstone(primitive), NO_FRAMED_KEYS)).as(primitive)
                    .isInstanceOf(RecordDecodeException.class)
                    .satisfies(e -> assertThat(((RecordDecodeException) e).reason())
                            .isEqualTo(DeadLetterReason.UNDECODABLE_KEY))
                    .hasMessageContaining("not a record of fields").hasMessageContaining("set table.key");
        }
        assertThatThrownBy(() -> KafkaKeys.fieldNames(tombstone("{\"order id\": 1}"), NO_FRAMED_KEYS))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("'order id' cannot be a key column");
    }

    @Test
    void aSingleValueKeyIsTheSameTextForARowAndForATombstone() {
        Schema table = new Schema.Parser().parse("""
                {"type": "record", "name": "T", "fields": [{"name": "sku", "type": ["null", "string"]}]}""");
        for (String key : List.of("sku-17", "\"sku-17\"", "42", "1.5", "{\"schema\": {\"type\": \"string\"}, "
                + "\"payload\": \"sku-9\"}")) {
            String text = KafkaKeys.text(tombstone(key), NO_FRAMED_KEYS);
            assertThat(KafkaKeys.keyRow(tombstone(key), NO_FRAMED_KEYS, table, List.of("sku")).get("sku"))
                    .as("a tombstone keyed %s deletes the row keyed so", key).isEqualTo(text);
        }
        assertThat(KafkaKeys.text(tombstone("\"sku-17\""), NO_FRAMED_KEYS)).isEqualTo("sku-17");
        assertThat(KafkaKeys.text(tombstone(null), NO_FRAMED_KEYS)).isNull();
        assertThat(KafkaKeys.text(tombstone("framed"), decodingKeysAs(new org.apache.avro.util.Utf8("avro-7"))))
                .isEqualTo("avro-7");
        assertThatThrownBy(() -> KafkaKeys.text(tombstone("{\"id\": 1}"), NO_FRAMED_KEYS))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("a JSON object")
                .hasMessageContaining("table.kafka-key-column");
    }
}
