package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.TableSchemas;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/**
 * Values written by Kafka Connect's own {@link JsonConverter} (with schemas, its default), with Connect's logical
 * types and Debezium's (Debezium names its types on plain Connect schemas, as built here), read into columns.
 */
class ConnectJsonDecoderTest {

    private static final org.apache.kafka.connect.data.Schema ADDRESS = SchemaBuilder.struct()
            .name("shop.Address").optional()
            .field("city", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
            .build();

    private static final org.apache.kafka.connect.data.Schema ROW_V1 = SchemaBuilder.struct()
            .name("dbserver1.public.customers.Value")
            .field("id", org.apache.kafka.connect.data.Schema.INT32_SCHEMA)
            .field("name", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
            .field("born", org.apache.kafka.connect.data.Date.builder().optional().build())
            .field("seen", Timestamp.builder().optional().build())
            .field("updated_at", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
            .field("precise_at", SchemaBuilder.int64().name("io.debezium.time.NanoTimestamp").optional().build())
            .field("created", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("opens", SchemaBuilder.int64().name("io.debezium.time.MicroTime").optional().build())
            .field("ratio", SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal").optional()
                    .field("scale", org.apache.kafka.connect.data.Schema.INT32_SCHEMA)
                    .field("value", org.apache.kafka.connect.data.Schema.BYTES_SCHEMA).build())
            .field("doc", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
            .field("tags", SchemaBuilder.array(org.apache.kafka.connect.data.Schema.STRING_SCHEMA).optional().build())
            .field("prices", SchemaBuilder.map(org.apache.kafka.connect.data.Schema.STRING_SCHEMA,
                    Decimal.builder(2).optional().build()).optional().build())
            .field("address", ADDRESS)
            .build();

    private final JsonConverter converter = converter();
    private final ConnectJsonDecoder decoder = new ConnectJsonDecoder();

    @Test
    void aConnectSchemaBecomesColumnsWithTheirLogicalTypes() {
        Schema writer = decoder.writerSchema(record(0, ROW_V1, row()));
        assertThat(writer.getFullName()).isEqualTo("dbserver1.public.customers.Value");
        assertThat(writer.getField("id").schema().getType()).isEqualTo(Schema.Type.INT);
        assertThat(type(writer, "balance").getLogicalType()).isEqualTo(LogicalTypes.decimal(12, 2));
        assertThat(type(writer, "born").getLogicalType()).isEqualTo(LogicalTypes.date());
        assertThat(type(writer, "seen").getLogicalType()).isEqualTo(LogicalTypes.timestampMillis());
        assertThat(type(writer, "updated_at").getLogicalType()).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(type(writer, "precise_at").getLogicalType()).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(type(writer, "created").getLogicalType()).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(type(writer, "opens").getType()).isEqualTo(Schema.Type.STRING);
        assertThat(type(writer, "ratio").getType()).isEqualTo(Schema.Type.STRING);
        assertThat(type(writer, "tags").getType()).isEqualTo(Schema.Type.ARRAY);
        assertThat(type(writer, "prices").getValueType().getTypes().get(1).getLogicalType())
                .isEqualTo(LogicalTypes.decimal(38, 2));
        assertThat(type(writer, "address").getField("city").schema().getType()).isEqualTo(Schema.Type.STRING);
        // The same schema gives the same instance (the engine remembers covered writer schemas by identity).
        assertThat(decoder.writerSchema(record(1, ROW_V1, row()))).isSameAs(writer);
        assertThat(decoder.writerSchemaRef(record(1, ROW_V1, row())))
                .isEqualTo("connect schema dbserver1.public.customers.Value");
    }

    @Test
    void everyValueIsReadAsItsColumnHoldsIt() {
        ConsumerRecord<byte[], byte[]> record = record(0, ROW_V1, row());
        Schema table = TableSchemas.normalize(decoder.writerSchema(record));
        GenericRecord decoded = decoder.decode(record, table);
        assertThat(decoded.get("id")).isEqualTo(7);
        assertThat(decoded.get("name").toString()).isEqualTo("Ada");
        assertThat(decimal(decoded.get("balance"), type(table, "balance"))).isEqualByComparingTo("-1234.56");
        assertThat(decoded.get("born")).isEqualTo((int) LocalDate.of(1990, 2, 28).toEpochDay());
        assertThat(decoded.get("seen")).isEqualTo(1_796_292_000_123L);
        assertThat(decoded.get("updated_at")).isEqualTo(1_796_292_000_123_456L);
        assertThat(decoded.get("precise_at")).isEqualTo(1_796_292_000_123_456L);
        assertThat(decoded.get("created")).isEqualTo(1_796_292_000_123_456L);
        assertThat(decoded.get("opens").toString()).isEqualTo("08:30:00.000250");
        assertThat(decoded.get("ratio").toString()).isEqualTo("3.14159265358979323846");
        assertThat(decoded.get("doc").toString()).isEqualTo("{\"a\": [1, 2]}");
        assertThat(decoded.get("tags").toString()).isEqualTo("[vip, new]");
        assertThat(decimal(((Map<?, ?>) decoded.get("prices")).get("eu"),
                type(table, "prices").getValueType().getTypes().get(1))).isEqualByComparingTo("9.99");
        assertThat(((GenericRecord) decoded.get("address")).get("city").toString()).isEqualTo("Zürich");
    }

    @Test
    void floatsAndDoublesAreTheNamesConnectsConverterGivesThem() {
        org.apache.kafka.connect.data.Schema measures = SchemaBuilder.struct().name("shop.Measure")
                .field("ratio", org.apache.kafka.connect.data.Schema.FLOAT32_SCHEMA)
                .field("price", org.apache.kafka.connect.data.Schema.OPTIONAL_FLOAT64_SCHEMA)
                .build();
        ConsumerRecord<byte[], byte[]> record = record(0, measures,
                new Struct(measures).put("ratio", 0.25f).put("price", 1234.5));
        // The converter writes "float" and "double", not the enum's FLOAT32 and FLOAT64.
        assertThat(new String(record.value(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"type\":\"float\"").contains("\"type\":\"double\"");
        Schema table = TableSchemas.normalize(decoder.writerSchema(record));
        assertThat(type(table, "ratio").getType()).isEqualTo(Schema.Type.FLOAT);
        assertThat(type(table, "price").getType()).isEqualTo(Schema.Type.DOUBLE);
        GenericRecord decoded = decoder.decode(record, table);
        assertThat(decoded.get("ratio")).isEqualTo(0.25f);
        assertThat(decoded.get("price")).isEqualTo(1234.5);
    }

    @Test
    void anAddedColumnIsANewWriterSchemaThatCoversTheOlderValues() {
        Schema v1 = decoder.writerSchema(record(0, ROW_V1, row()));
        SchemaBuilder builder = SchemaBuilder.struct().name("dbserver1.public.customers.Value");
        ROW_V1.fields().forEach(f -> builder.field(f.name(), f.schema()));
        org.apache.kafka.connect.data.Schema v2Schema = builder
                .field("loyalty", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA).build();
        Struct v2Row = new Struct(v2Schema);
        ROW_V1.fields().forEach(f -> v2Row.put(f.name(), row().get(f)));
        v2Row.put("loyalty", 40L);
        Schema v2 = decoder.writerSchema(record(1, v2Schema, v2Row));
        assertThat(v2).isNotSameAs(v1);
        Schema table = TableSchemas.merge(TableSchemas.normalize(v1), v2);
        assertThat(decoder.decode(record(1, v2Schema, v2Row), table).get("loyalty")).isEqualTo(40L);
        assertThat(decoder.decode(record(2, ROW_V1, row()), table).get("loyalty")).isNull();
    }

    @Test
    void aValueWithoutItsSchemaOrWithoutATableFormIsADeadLetterSayingWhy() {
        ConsumerRecord<byte[], byte[]> bare = new ConsumerRecord<>("customers", 0, 3, null,
                "{\"id\": 1}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> decoder.writerSchema(bare)).isInstanceOfSatisfying(RecordDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_JSON))
                .hasMessageContaining("customers-0@3").hasMessageContaining("schemas.enable=true")
                .hasMessageContaining("value-schema-file");
        org.apache.kafka.connect.data.Schema badName = SchemaBuilder.struct().name("t")
                .field("first name", org.apache.kafka.connect.data.Schema.STRING_SCHEMA).build();
        assertThatThrownBy(() -> decoder.writerSchema(record(4, badName, new Struct(badName).put("first name", "x"))))
                .isInstanceOfSatisfying(RecordDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("field 'first name' cannot be a column name");
        org.apache.kafka.connect.data.Schema tooWide = SchemaBuilder.struct().name("t")
                .field("n", Decimal.builder(2).parameter("connect.decimal.precision", "40").build()).build();
        assertThatThrownBy(() -> decoder.writerSchema(record(5, tooWide,
                new Struct(tooWide).put("n", new BigDecimal("1.00")))))
                .hasMessageContaining("decimal(40, 2)").hasMessageContaining("decimal.handling.mode");
    }

    @Test
    void aJsonPipelineWithAValueSchemaFileReadsConnectsWrapperToo() {
        Schema configured = new Schema.Parser().parse("""
                {"type": "record", "name": "Customer", "fields": [
                  {"name": "id", "type": "int"},
                  {"name": "balance", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12,
                    "scale": 2}], "default": null},
                  {"name": "opens", "type": ["null", "string"], "default": null}]}""");
        JsonRecordDecoder withFile = new JsonRecordDecoder(configured);
        GenericRecord decoded = withFile.decode(record(0, ROW_V1, row()), configured);
        assertThat(decoded.get("id")).isEqualTo(7);
        assertThat(decimal(decoded.get("balance"), type(configured, "balance"))).isEqualByComparingTo("-1234.56");
        assertThat(decoded.get("opens").toString()).isEqualTo("08:30:00.000250");
    }

    private Struct row() {
        Struct address = new Struct(ADDRESS).put("city", "Zürich");
        Struct ratio = new Struct(ROW_V1.field("ratio").schema()).put("scale", 20)
                .put("value", new BigDecimal("3.14159265358979323846").unscaledValue().toByteArray());
        return new Struct(ROW_V1).put("id", 7).put("name", "Ada")
                .put("balance", new BigDecimal("-1234.56"))
                .put("born", Date.from(LocalDate.of(1990, 2, 28).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))
                .put("seen", new Date(1_796_292_000_123L))
                .put("updated_at", 1_796_292_000_123_456L)
                .put("precise_at", 1_796_292_000_123_456_789L)
                .put("created", "2026-12-03T11:00:00.123456+01:00")
                .put("opens", 8L * 3_600_000_000L + 30L * 60_000_000L + 250L)
                .put("ratio", ratio)
                .put("doc", "{\"a\": [1, 2]}")
                .put("tags", List.of("vip", "new"))
                .put("prices", Map.of("eu", new BigDecimal("9.99")))
                .put("address", address);
    }

    private ConsumerRecord<byte[], byte[]> record(long offset, org.apache.kafka.connect.data.Schema schema,
                                                  Struct value) {
        return new ConsumerRecord<>("customers", 0, offset, null,
                converter.fromConnectData("customers", schema, value));
    }

    private static JsonConverter converter() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), false);
        return converter;
    }

    private static Schema type(Schema record, String field) {
        Schema type = record.getField(field).schema();
        return type.isUnion() ? type.getTypes().get(1) : type;
    }

    private static BigDecimal decimal(Object value, Schema type) {
        return new Conversions.DecimalConversion().fromBytes((ByteBuffer) value, type, type.getLogicalType());
    }
}
