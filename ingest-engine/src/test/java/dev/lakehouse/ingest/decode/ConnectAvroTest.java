package dev.lakehouse.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Avro in the shape Kafka Connect's Avro converter gives Debezium's rows (its documented mapping: optional fields
 * as unions with null, {@code connect.name} and {@code connect.parameters} beside the types) read back into Connect's
 * JSON, and from there into the same columns and values as the JSON converter's events.
 */
class ConnectAvroTest {

    private static final Schema ROW = new Schema.Parser().parse("""
            {"type": "record", "name": "Value", "namespace": "db.public.customers", "fields": [
              {"name": "id", "type": {"type": "int", "connect.type": "int16"}},
              {"name": "balance", "type": ["null", {"type": "bytes", "scale": 2, "precision": 12,
                "connect.version": 1, "connect.parameters": {"scale": "2", "connect.decimal.precision": "12"},
                "connect.name": "org.apache.kafka.connect.data.Decimal", "logicalType": "decimal"}], "default": null},
              {"name": "updated_at", "type": ["null", {"type": "long", "connect.version": 1,
                "connect.name": "io.debezium.time.MicroTimestamp"}], "default": null},
              {"name": "born", "type": ["null", {"type": "int", "connect.version": 1,
                "connect.name": "io.debezium.time.Date"}], "default": null},
              {"name": "amount", "type": ["null", {"type": "record", "name": "VariableScaleDecimal",
                "namespace": "io.debezium.data", "fields": [{"name": "scale", "type": "int"},
                {"name": "value", "type": "bytes"}], "connect.version": 1,
                "connect.name": "io.debezium.data.VariableScaleDecimal"}], "default": null},
              {"name": "tags", "type": ["null", {"type": "array", "items": ["null", "string"]}], "default": null},
              {"name": "counts", "type": {"type": "array", "items": {"type": "record", "name": "MapEntry",
                "namespace": "io.confluent.connect.avro", "fields": [{"name": "key", "type": "int"},
                {"name": "value", "type": "string"}]}}}
            ], "connect.name": "db.public.customers.Value"}""");

    @Test
    void aRowOfTheAvroConvertersShapeHasTheColumnsItsConnectSchemaGives() {
        JsonNode connect = ConnectAvro.schema(ROW);
        assertThat(connect.path("type").asText()).isEqualTo("struct");
        assertThat(connect.path("name").asText()).isEqualTo("db.public.customers.Value");
        JsonNode id = connect.path("fields").get(0);
        assertThat(id.path("field").asText()).isEqualTo("id");
        assertThat(id.path("type").asText()).as("connect.type keeps int16").isEqualTo("int16");
        assertThat(id.path("optional").asBoolean()).isFalse();
        JsonNode balance = connect.path("fields").get(1);
        assertThat(balance.path("optional").asBoolean()).isTrue();
        assertThat(balance.path("parameters").path("scale").asText()).isEqualTo("2");
        assertThat(connect.path("fields").get(6).path("type").asText()).as("an array of map entries").isEqualTo("map");

        Schema table = ConnectJson.avroSchema(connect, "Row");
        assertThat(table.getField("balance").schema().getTypes().get(1).getLogicalType())
                .isEqualTo(org.apache.avro.LogicalTypes.decimal(12, 2));
        assertThat(table.getField("updated_at").schema().getTypes().get(1).getLogicalType())
                .isEqualTo(org.apache.avro.LogicalTypes.timestampMicros());
        assertThat(table.getField("born").schema().getTypes().get(1).getLogicalType())
                .isEqualTo(org.apache.avro.LogicalTypes.date());
        assertThat(table.getField("amount").schema().getTypes().get(1).getType()).isEqualTo(Schema.Type.STRING);
    }

    @Test
    void aRowsValuesBecomeWhatTheJsonConverterWouldHaveWritten() {
        GenericRecord row = new GenericData.Record(ROW);
        row.put("id", 7);
        row.put("balance", ByteBuffer.wrap(new BigDecimal("-1234.56").unscaledValue().toByteArray()));
        row.put("updated_at", 1_767_225_600_123_456L);
        row.put("born", 20_000);
        GenericRecord amount = new GenericData.Record(ROW.getField("amount").schema().getTypes().get(1));
        amount.put("scale", 3);
        amount.put("value", ByteBuffer.wrap(java.math.BigInteger.valueOf(31_415).toByteArray()));
        row.put("amount", amount);
        row.put("tags", List.of("a", "b"));
        Schema entry = ROW.getField("counts").schema().getElementType();
        GenericRecord pair = new GenericData.Record(entry);
        pair.put("key", 1);
        pair.put("value", "one");
        row.put("counts", List.of(pair));

        JsonNode schema = ConnectAvro.schema(ROW);
        JsonNode payload = ConnectAvro.payload(ROW, row);
        assertThat(payload.path("counts").toString()).isEqualTo("[[1,\"one\"]]");
        GenericRecord decoded = JsonToAvro.record(ConnectJson.avroSchema(schema, "Row"),
                ConnectJson.normalize(schema, payload));
        assertThat(decoded.get("id")).isEqualTo(7);
        assertThat(new BigDecimal(new java.math.BigInteger(((ByteBuffer) decoded.get("balance")).array()), 2))
                .isEqualByComparingTo("-1234.56");
        assertThat(decoded.get("updated_at")).isEqualTo(1_767_225_600_123_456L);
        assertThat(decoded.get("born")).isEqualTo(20_000);
        assertThat(decoded.get("amount").toString()).isEqualTo("31.415");
        assertThat(decoded.get("tags").toString()).isEqualTo("[a, b]");
        assertThat(decoded.get("counts").toString()).as("a map of int keys kept as its JSON text")
                .isEqualTo("[[1,\"one\"]]");
    }

    @Test
    void aUnionOfSeveralTypesHasNoColumnType() {
        Schema union = new Schema.Parser().parse("[\"null\", \"int\", \"string\"]");
        assertThatThrownBy(() -> ConnectAvro.schema(union)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only a union of null and one type");
    }
}
