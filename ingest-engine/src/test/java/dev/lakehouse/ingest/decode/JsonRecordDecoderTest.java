package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.TableSchemas;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class JsonRecordDecoderTest {

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Event", "fields": [
              {"name": "id", "type": "long"},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attrs", "type": {"type": "map", "values": "int"}},
              {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
                {"name": "x", "type": "double"}]}}
            ]}""");
    private static final Schema TABLE = TableSchemas.normalize(SCHEMA);

    private final JsonRecordDecoder decoder = new JsonRecordDecoder(SCHEMA);

    @Test
    void mapsEveryKindOfValueByName() {
        GenericRecord row = decode("""
                {"id": 7, "day": "2026-01-31", "at": "2026-01-31T12:00:00.000001Z", "price": "12.50", "kind": "B",
                 "tags": ["x", "y"], "attrs": {"a": 1}, "inner": {"x": 1.5}, "unknown": "ignored"}""");
        assertThat(row.get("id")).isEqualTo(7L);
        assertThat(row.get("day")).isEqualTo(20_484);
        assertThat(row.get("at")).isEqualTo(1_769_860_800_000_001L);
        assertThat(new BigDecimal(new java.math.BigInteger(((ByteBuffer) row.get("price")).array()), 2))
                .isEqualByComparingTo("12.50");
        assertThat(row.get("kind").toString()).isEqualTo("B");
        assertThat(row.get("tags").toString()).isEqualTo("[x, y]");
        assertThat(((GenericRecord) row.get("inner")).get("x")).isEqualTo(1.5);
    }

    @Test
    void missingOptionalFieldsAreNull() {
        Schema optional = new Schema.Parser().parse("""
                {"type": "record", "name": "Event", "fields": [
                  {"name": "id", "type": "long"},
                  {"name": "note", "type": ["null", "string"], "default": null},
                  {"name": "inner", "type": ["null", {"type": "record", "name": "Inner", "fields": [
                    {"name": "x", "type": "double"}]}], "default": null}
                ]}""");
        GenericRecord row = new JsonRecordDecoder(optional).decode(
                new ConsumerRecord<>("t", 0, 3, null, "{\"id\": 1}".getBytes(StandardCharsets.UTF_8)),
                TableSchemas.normalize(optional));
        assertThat(row.get("id")).isEqualTo(1L);
        assertThat(row.get("note")).isNull();
        assertThat(row.get("inner")).isNull();
    }

    @Test
    void missingRequiredFieldsAreNamedAtAnyDepth() {
        assertThatThrownBy(() -> decode("{\"id\": 1}"))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("t-0@3").hasMessageContaining("field 'day'")
                .extracting(e -> ((RecordDecodeException) e).reason()).isEqualTo(DeadLetterReason.NULL_IN_REQUIRED_COLUMN);
        assertThatThrownBy(() -> decode("""
                {"id": 7, "day": "2026-01-31", "at": 1, "price": "1.00", "kind": "A", "tags": [], "attrs": {},
                 "inner": {"x": null}}"""))
                .hasMessageContaining("field 'inner.x'")
                .extracting(e -> ((RecordDecodeException) e).reason()).isEqualTo(DeadLetterReason.NULL_IN_REQUIRED_COLUMN);
    }

    @Test
    void badValuesNameTheFieldAndTheReason() {
        assertThatThrownBy(() -> decode("{\"id\": \"seven\"}"))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("t-0@3").hasMessageContaining("field 'id'").hasMessageContaining("integer")
                .extracting(e -> ((RecordDecodeException) e).reason()).isEqualTo(DeadLetterReason.INVALID_JSON);
        assertThatThrownBy(() -> decode("{\"id\": 1, \"price\": 1.234}")).hasMessageContaining("field 'price'")
                .hasMessageContaining("decimal places");
        assertThatThrownBy(() -> decode("{\"id\": 1, \"inner\": {\"x\": \"no\"}}")).hasMessageContaining("inner.x");
        assertThatThrownBy(() -> decode("{\"id\": 1, \"kind\": \"C\"}")).hasMessageContaining("[A, B]");
        assertThatThrownBy(() -> decode("{\"id\": 9999999999999999999}")).hasMessageContaining("long range");
        assertThatThrownBy(() -> decode("{broken")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> decode("[1]")).hasMessageContaining("must be a JSON object");
    }

    private GenericRecord decode(String json) {
        return decoder.decode(new ConsumerRecord<>("t", 0, 3, null, json.getBytes(StandardCharsets.UTF_8)), TABLE);
    }
}
