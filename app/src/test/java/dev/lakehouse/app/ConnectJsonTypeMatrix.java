package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.assertj.core.api.SoftAssertions;

/**
 * Plain JSON values as Kafka Connect's own {@link JsonConverter} writes them with schemas (its default, and every
 * Debezium connector's): Connect's integer widths, floats, booleans, strings, bytes, {@code Decimal} with and
 * without a precision, {@code Date}, {@code Timestamp}, and Debezium's named types (micro- and nanosecond
 * timestamps, zoned timestamps, micro-times, variable-scale decimals, JSON documents), arrays, maps and structs.
 */
final class ConnectJsonTypeMatrix implements TypeMatrixTable {

    private static final Schema ADDRESS = SchemaBuilder.struct().name("shop.Address").optional()
            .field("city", Schema.STRING_SCHEMA)
            .field("zip", Schema.OPTIONAL_INT32_SCHEMA)
            .build();

    private static final Schema ROW = SchemaBuilder.struct().name("shop.public.readings.Value")
            .field("reading_id", Schema.INT64_SCHEMA)
            .field("i8", Schema.INT8_SCHEMA)
            .field("i16", Schema.INT16_SCHEMA)
            .field("i32", Schema.OPTIONAL_INT32_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.FLOAT64_SCHEMA)
            .field("flag", Schema.BOOLEAN_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("balance", Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
            .field("big", Decimal.builder(4).optional().build())
            .field("born", org.apache.kafka.connect.data.Date.builder().optional().build())
            .field("created_at", Timestamp.builder().build())
            .field("updated_at", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
            .field("precise_at", SchemaBuilder.int64().name("io.debezium.time.NanoTimestamp").optional().build())
            .field("zoned_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("opens", SchemaBuilder.int64().name("io.debezium.time.MicroTime").optional().build())
            .field("ratio", SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal").optional()
                    .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build())
            .field("doc", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .field("prices", SchemaBuilder.map(Schema.STRING_SCHEMA, Decimal.builder(2).optional().build())
                    .optional().build())
            .field("address", ADDRESS)
            .build();

    private final JsonConverter converter = new JsonConverter();

    ConnectJsonTypeMatrix() {
        converter.configure(Map.of("schemas.enable", "true"), false);
    }

    @Override
    public String format() {
        return "json";
    }

    @Override
    public void configure(ApplianceYaml.Pipeline pipeline) {
        // Connect's own schemas give the columns; compaction keeps the default (unsorted) layout.
    }

    @Override
    public String idColumn() {
        return "reading_id";
    }

    static BigDecimal balance(int i) {
        return BigDecimal.valueOf(i * 12_345L - 7_000_000L, 2);
    }

    static BigDecimal big(int i) {
        return new BigDecimal("123456789012345678901234567890.1234").add(BigDecimal.valueOf(i)).negate();
    }

    static long createdMillis(int i) {
        return ProtobufTypeMatrix.BASE_MILLIS + i * 11_001L;
    }

    @Override
    public byte[] value(SchemaRegistryClient registry, String topic, int i) {
        Struct address = new Struct(ADDRESS).put("city", "city " + i % 9).put("zip", i % 2 == 0 ? null : i);
        Struct ratio = new Struct(ROW.field("ratio").schema()).put("scale", 3)
                .put("value", BigDecimal.valueOf(i, 3).unscaledValue().toByteArray());
        Struct row = new Struct(ROW)
                .put("reading_id", (long) i)
                .put("i8", (byte) (i % 256 - 128))
                .put("i16", (short) (i * 7 - 4_000))
                .put("i32", i % 5 == 0 ? null : i * 1_000)
                .put("f32", (float) (i % 10) / 4f)
                .put("f64", i * 0.5)
                .put("flag", i % 2 == 0)
                .put("name", i % 5 == 0 ? null : "name " + i)
                .put("blob", i % 5 == 0 ? null : ("blob-" + i).getBytes(StandardCharsets.UTF_8))
                .put("balance", balance(i))
                .put("big", big(i))
                .put("born", Date.from(LocalDate.ofEpochDay(20_000 + i % 7).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .put("created_at", new Date(createdMillis(i)))
                .put("updated_at", createdMillis(i) * 1_000L + 456)
                .put("precise_at", createdMillis(i) * 1_000_000L + 456_789)
                .put("zoned_at", java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        java.time.Instant.ofEpochMilli(createdMillis(i)).atOffset(ZoneOffset.ofHours(2))))
                .put("opens", 8L * 3_600_000_000L + 30L * 60_000_000L + 250L)
                .put("ratio", ratio)
                .put("doc", "{\"a\": " + i + "}")
                .put("tags", i % 2 == 0 ? List.of("t" + i % 4) : List.of("t" + i % 4, "all"))
                .put("prices", Map.of("eu", BigDecimal.valueOf(i, 2)))
                .put("address", i % 6 == 0 ? null : address);
        return converter.fromConnectData(topic, ROW, row);
    }

    @Override
    public List<EngineAggregate> aggregates(int records) {
        long i8 = 0, i16 = 0, i32 = 0, i32s = 0, flags = 0, nameChars = 0, blobBytes = 0, tags = 0, addresses = 0;
        long zips = 0;
        double f32 = 0, f64 = 0;
        BigDecimal balance = BigDecimal.ZERO, big = BigDecimal.ZERO, created = BigDecimal.ZERO;
        BigDecimal updated = BigDecimal.ZERO, precise = BigDecimal.ZERO, ratio = BigDecimal.ZERO;
        BigDecimal prices = BigDecimal.ZERO;
        for (int i = 0; i < records; i++) {
            i8 += i % 256 - 128;
            i16 += i * 7 - 4_000;
            i32 += i % 5 == 0 ? 0 : i * 1_000;
            i32s += i % 5 == 0 ? 0 : 1;
            f32 += (float) (i % 10) / 4f;
            f64 += i * 0.5;
            flags += i % 2 == 0 ? 1 : 0;
            nameChars += i % 5 == 0 ? 0 : ("name " + i).length();
            blobBytes += i % 5 == 0 ? 0 : ("blob-" + i).length();
            balance = balance.add(balance(i));
            big = big.add(big(i));
            created = created.add(BigDecimal.valueOf(createdMillis(i)));
            updated = updated.add(BigDecimal.valueOf(createdMillis(i) * 1_000L + 456));
            precise = precise.add(BigDecimal.valueOf(createdMillis(i) * 1_000L + 456)); // nanoseconds truncated to µs
            ratio = ratio.add(BigDecimal.valueOf(i, 3));
            tags += 1 + i % 2;
            prices = prices.add(BigDecimal.valueOf(i, 2));
            addresses += i % 6 != 0 ? 1 : 0;
            zips += i % 6 != 0 && i % 2 == 1 ? i : 0;
        }
        return new EngineAggregate.Builder("j_")
                .add("n", "count(*)", (long) records)
                .add("ids", "count(DISTINCT reading_id)", (long) records)
                .add("i8", "sum(i8)", i8).add("i16", "sum(i16)", i16).add("i32", "sum(i32)", i32)
                .add("i32s", "count(i32)", i32s)
                .add("f32", "sum(CAST(f32 AS DOUBLE))", f32).add("f64", "sum(f64)", f64)
                .add("flags", "count_if(flag)", flags).add("name_chars", "sum(length(name))", nameChars)
                .add("blob_bytes", "sum(length(blob))", "sum(octet_length(blob))", blobBytes)
                .add("balance", "sum(balance)", balance).add("big", "sum(big)", big)
                .add("first_born", "min(unix_date(born))", "min(born - DATE '1970-01-01')", 20_000L)
                .add("last_born", "max(unix_date(born))", "max(born - DATE '1970-01-01')", 20_006L)
                .add("created", "sum(unix_millis(created_at))", "sum(epoch_ms(created_at))", created)
                .add("updated", "sum(unix_micros(updated_at))", "sum(epoch_us(updated_at))", updated)
                .add("precise", "sum(unix_micros(precise_at))", "sum(epoch_us(precise_at))", precise)
                .add("zoned", "sum(unix_millis(zoned_at))", "sum(epoch_ms(zoned_at))", created)
                .add("opens", "count_if(opens = '08:30:00.000250')", (long) records)
                .add("ratio", "sum(CAST(ratio AS DECIMAL(20,3)))", ratio)
                .add("docs", "count_if(doc LIKE '{%')", (long) records)
                .add("tags", "sum(size(tags))", "sum(len(tags))", tags)
                .add("prices", "sum(prices['eu'])", prices)
                .add("addresses", "count(address)", addresses).add("zips", "sum(address.zip)", zips)
                .build();
    }

    @Override
    public void assertKernelRow(int i, Map<String, Object> row, SoftAssertions soft) {
        String what = "connect-json row " + i + " ";
        soft.assertThat(row.get("i8")).as(what + "i8").isEqualTo(i % 256 - 128);
        soft.assertThat(row.get("balance")).as(what + "balance").isEqualTo(balance(i));
        soft.assertThat(row.get("big")).as(what + "big").isEqualTo(big(i));
        soft.assertThat(row.get("precise_at")).as(what + "precise_at").isEqualTo(createdMillis(i) * 1_000L + 456);
        soft.assertThat(row.get("zoned_at")).as(what + "zoned_at").isEqualTo(createdMillis(i) * 1_000L);
        soft.assertThat(row.get("ratio")).as(what + "ratio").isEqualTo(BigDecimal.valueOf(i, 3).toPlainString());
    }
}
