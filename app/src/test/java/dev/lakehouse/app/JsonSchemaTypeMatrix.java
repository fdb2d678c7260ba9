package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentJsonSchemaSerializer;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;

/**
 * JSON Schema values of every type the product maps (integers, numbers, booleans, nullable strings, date-times with
 * offsets, dates, string enums, arrays of strings and of {@code $ref} objects, {@code additionalProperties} maps,
 * {@code oneOf [null, $ref]} objects, and a free-form value that becomes its JSON text), framed by the project's
 * Confluent serializer.
 */
final class JsonSchemaTypeMatrix implements TypeMatrixTable {

    private static final String SCHEMA = """
            {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {
              "reading_id": {"type": "integer"},
              "delta": {"type": "integer"},
              "price": {"type": "number"},
              "ok": {"type": "boolean"},
              "note": {"type": ["string", "null"]},
              "created_at": {"type": "string", "format": "date-time"},
              "day": {"type": "string", "format": "date"},
              "status": {"type": "string", "enum": ["PLACED", "PAID", "SHIPPED"]},
              "tags": {"type": "array", "items": {"type": "string"}},
              "lines": {"type": "array", "items": {"$ref": "#/definitions/Line"}},
              "attrs": {"type": "object", "additionalProperties": {"type": "integer"}},
              "address": {"oneOf": [{"type": "null"}, {"$ref": "#/definitions/Address"}]},
              "extra": {}
             },
             "required": ["reading_id", "created_at"],
             "definitions": {
               "Line": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}},
               "Address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "integer"}}}
             }}""";

    private ConfluentJsonSchemaSerializer serializer;

    @Override
    public String format() {
        return "json-schema";
    }

    @Override
    public void configure(ApplianceYaml.Pipeline pipeline) {
        pipeline.set("compaction.sort-by", List.of("address.city"));
    }

    @Override
    public String idColumn() {
        return "reading_id";
    }

    /** Record i's instant as RFC 3339 text, with one of three offsets. */
    static String created(int i) {
        ZoneOffset offset = List.of(ZoneOffset.UTC, ZoneOffset.ofHours(1), ZoneOffset.ofHoursMinutes(-5, -30))
                .get(i % 3);
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(OffsetDateTime
                .ofInstant(java.time.Instant.ofEpochMilli(ProtobufTypeMatrix.BASE_MILLIS + i * 11_001L), offset));
    }

    static String note(int i) {
        return i % 5 == 0 ? null : i % 97 == 0 ? "ü".repeat(20_000) : "note " + i;
    }

    @Override
    public byte[] value(SchemaRegistryClient registry, String topic, int i) {
        if (serializer == null) {
            serializer = new ConfluentJsonSchemaSerializer(registry);
        }
        StringBuilder lines = new StringBuilder("[");
        for (int l = 0; l < i % 3; l++) {
            lines.append(l == 0 ? "" : ", ").append("{\"sku\": \"sku-%d\", \"qty\": %d}".formatted(l, i + l));
        }
        String json = """
                {"reading_id": %d, "delta": %d, "price": %s, "ok": %b, "note": %s, "created_at": "%s",
                 "day": "%s", "status": "%s", "tags": %s, "lines": %s, "attrs": {"k": %d, "x%d": 1},
                 "address": %s, "extra": %s}""".formatted(i, 500 - i, i * 0.5, i % 2 == 0,
                note(i) == null ? "null" : "\"" + note(i) + "\"", created(i), LocalDate.ofEpochDay(20_000 + i % 7),
                List.of("PLACED", "PAID", "SHIPPED").get(i % 3),
                i % 2 == 0 ? "[\"t%d\"]".formatted(i % 4) : "[\"t%d\", \"all\"]".formatted(i % 4),
                lines.append("]"), i, i % 3,
                i % 6 == 0 ? "null" : i % 2 == 0 ? "{\"city\": \"city %d\"}".formatted(i % 9)
                        : "{\"city\": \"city %d\", \"zip\": %d}".formatted(i % 9, i),
                i % 4 == 0 ? "[1, \"two\"]" : "{\"a\": %d, \"b\": [true, null]}".formatted(i));
        return serializer.serialize(topic + "-value", SCHEMA, json);
    }

    @Override
    public List<EngineAggregate> aggregates(int records) {
        long delta = 0, ok = 0, noteChars = 0, notes = 0, paid = 0, tags = 0, qty = 0, attrsK = 0, attrKeys = 0;
        long addresses = 0, zips = 0, extraA = 0;
        double price = 0;
        BigDecimal createdMicros = BigDecimal.ZERO;
        for (int i = 0; i < records; i++) {
            delta += 500 - i;
            price += i * 0.5;
            ok += i % 2 == 0 ? 1 : 0;
            notes += note(i) == null ? 0 : 1;
            noteChars += note(i) == null ? 0 : note(i).length();
            createdMicros = createdMicros.add(BigDecimal.valueOf((ProtobufTypeMatrix.BASE_MILLIS + i * 11_001L) * 1_000L));
            paid += i % 3 == 1 ? 1 : 0;
            tags += 1 + i % 2;
            for (int l = 0; l < i % 3; l++) {
                qty += i + l;
            }
            attrsK += i;
            attrKeys += 2;
            addresses += i % 6 != 0 ? 1 : 0;
            zips += i % 6 != 0 && i % 2 == 1 ? i : 0;
            extraA += i % 4 == 0 ? 0 : i;
        }
        return new EngineAggregate.Builder("s_")
                .add("n", "count(*)", (long) records)
                .add("ids", "count(DISTINCT reading_id)", (long) records)
                .add("delta", "sum(delta)", delta).add("price", "sum(price)", price).add("ok", "count_if(ok)", ok)
                .add("notes", "count(note)", notes).add("note_chars", "sum(length(note))", noteChars)
                .add("created_micros", "sum(unix_micros(created_at))", "sum(epoch_us(created_at))", createdMicros)
                .add("first_day", "min(unix_date(day))", "min(day - DATE '1970-01-01')", 20_000L)
                .add("last_day", "max(unix_date(day))", "max(day - DATE '1970-01-01')", 20_006L)
                .add("paid", "count_if(status = 'PAID')", paid)
                .add("tags", "sum(size(tags))", "sum(len(tags))", tags)
                .add("qty", "sum(aggregate(lines, 0L, (acc, l) -> acc + l.qty))",
                        "sum(list_sum(list_transform(lines, lambda l: l.qty)))", qty)
                .add("attrs_k", "sum(attrs['k'])", attrsK)
                .add("attr_keys", "sum(size(attrs))", "sum(cardinality(attrs))", attrKeys)
                .add("addresses", "count(address)", addresses).add("zips", "sum(address.zip)", zips)
                .add("extra_a", "sum(CAST(get_json_object(extra, '$.a') AS BIGINT))",
                        "sum(TRY_CAST(regexp_extract(extra, '\"a\": ?([0-9]+)', 1) AS BIGINT))", extraA)
                .build();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void assertKernelRow(int i, Map<String, Object> row, SoftAssertions soft) {
        String what = "json-schema row " + i + " ";
        soft.assertThat(row.get("created_at")).as(what + "created_at")
                .isEqualTo((ProtobufTypeMatrix.BASE_MILLIS + i * 11_001L) * 1_000L);
        soft.assertThat(row.get("day")).as(what + "day").isEqualTo(20_000 + i % 7);
        soft.assertThat(row.get("note")).as(what + "note").isEqualTo(note(i));
        soft.assertThat((Map<Object, Object>) row.get("attrs")).as(what + "attrs")
                .containsEntry("k", (long) i).containsEntry("x" + i % 3, 1L);
        soft.assertThat(row.get("extra")).as(what + "extra").isNotNull();
    }
}
