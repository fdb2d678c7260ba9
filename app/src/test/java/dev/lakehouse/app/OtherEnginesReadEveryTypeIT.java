package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What nobody here wrote reads what {@code bin/lakehouse} writes: Avro values of every type the product maps
 * (decimals of every width, timestamps in milliseconds and microseconds, dates, enums, fixed and bytes, UUIDs, long
 * strings, arrays of records, maps, nested nullable records, a multi-type union) ingested by catch-up runs with the
 * shipped configuration, compacted by {@code bin/lakehouse compact}, then queried by <strong>Spark 4 with delta-spark
 * and its default settings</strong> (the vectorized Parquet reader) in a JVM of its own, and by <strong>DuckDB</strong>
 * (its own Parquet reader, over the table's current files: its Delta extension is not installable offline). Every
 * aggregate equals the one computed from the values produced. (Spark failed every query touching a decimal column when
 * decimals were stored as {@code BINARY}.)
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class OtherEnginesReadEveryTypeIT {

    private static final int RECORDS = 3_000;
    private static final long BASE_MILLIS = 1_796_292_000_000L; // 2026-12-02T08:40:00Z

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "interop", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "quantity", "type": "int"},
              {"name": "ratio", "type": ["null", "float"], "default": null},
              {"name": "price", "type": "double"},
              {"name": "paid", "type": "boolean"},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "payload", "type": "bytes"},
              {"name": "tag8", "type": {"type": "fixed", "name": "Tag8", "size": 8}},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PLACED", "PAID", "SHIPPED"]}},
              {"name": "small", "type": {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 3}},
              {"name": "wide", "type": {"type": "bytes", "logicalType": "decimal", "precision": 25, "scale": 5}},
              {"name": "fixed_amount", "type": {"type": "fixed", "name": "Amount16", "size": 16,
                "logicalType": "decimal", "precision": 30, "scale": 2}},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "shipped_at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
               "default": null},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
                {"name": "sku", "type": "string"},
                {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}
              ]}}},
              {"name": "attrs", "type": {"type": "map", "values": "long"}},
              {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
                {"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "int"], "default": null}]}],
               "default": null},
              {"name": "choice", "type": ["null", "int", "string"], "default": null}
            ]}""");

    @TempDir
    Path dir;

    @Test
    void sparkWithDefaultSettingsAndDuckDbReadEveryTypeOfACompactedTableWithTheValuesProduced(LocalKafkaBroker kafka,
            SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("interop");
        kafka.createTopic(topic, 2);
        String location = dir.resolve("interop").toUri().toString();
        // Compaction of a day's files from two on (the three runs write three files a day).
        Path config = ShippedConfig.write(dir.resolve("lakehouse.yaml"), kafka, registry, topic, location,
                "appliance-1", pipeline -> pipeline.set("compaction.min-input-files", 2));
        Path log = Path.of("target", "spark-reads-every-type.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            // Three catch-up runs, so the table has several small files per day for compaction.
            for (int run = 0; run < 3; run++) {
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                for (int i = run * RECORDS / 3; i < (run + 1) * RECORDS / 3; i++) {
                    records.add(new ProducerRecord<>(topic, i % 2, null,
                            serializer.serialize(topic, RecordPart.VALUE, order(i))));
                }
                KafkaTestClients.produceAll(kafka, records);
                assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once")).as("run --once (see %s)", log)
                        .isZero();
            }
        }
        assertThat(ApplianceProcess.runToExit(log, "compact", "--config", config.toString(), "--table", "orders")).as("compact (see %s)", log)
                .isZero();
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        assertThat(table.history(50)).as("compaction committed").anyMatch(c -> "OPTIMIZE".equals(c.parameters().get("operation")));

        List<JsonNode> sparkRows = SparkPeer.query(location, """
                SELECT count(*) AS n, count(DISTINCT order_id) AS ids, sum(quantity) AS quantity,
                       sum(CAST(ratio AS DOUBLE)) AS ratio, sum(price) AS price, count_if(paid) AS paid,
                       sum(length(note)) AS note_chars, sum(length(payload)) AS payload_bytes,
                       count(DISTINCT hex(tag8)) AS tags8, count_if(status = 'PAID') AS status_paid,
                       sum(small) AS small, sum(amount) AS amount, sum(wide) AS wide, sum(fixed_amount) AS fixed_amount,
                       min(unix_millis(created_at)) AS first_created, max(unix_millis(created_at)) AS last_created,
                       sum(unix_micros(shipped_at)) AS shipped_micros, min(unix_date(day)) AS first_day,
                       max(unix_date(day)) AS last_day, count(DISTINCT uid) AS uids,
                       sum(size(tags)) AS tag_count, sum(aggregate(lines, CAST(0 AS DECIMAL(20,2)),
                           (acc, l) -> CAST(acc + l.price AS DECIMAL(20,2)))) AS line_prices,
                       sum(attrs['k']) AS attrs_k, count(address) AS addresses, sum(address.zip) AS zips,
                       count(choice.member0) AS choice_ints, count(choice.member1) AS choice_strings
                FROM {table}""", "spark-query.log");
        assertThat(sparkRows).as("one result row (see target/spark-query.log)").hasSize(1);
        JsonNode spark = sparkRows.get(0);
        java.util.Map<String, String> sparkRow = new java.util.LinkedHashMap<>();
        spark.fields().forEachRemaining(field -> sparkRow.put(field.getKey(), field.getValue().asText()));
        assertAggregatesOfTheValuesProduced("Spark", sparkRow);

        // DuckDB over the files of the table's current version, with its own types for every column.
        java.util.Map<String, String> duck = duckDb(table, """
                SELECT count(*) AS n, count(DISTINCT order_id) AS ids, sum(quantity) AS quantity,
                       sum(CAST(ratio AS DOUBLE)) AS ratio, sum(price) AS price, count_if(paid) AS paid,
                       sum(length(note)) AS note_chars, sum(octet_length(payload)) AS payload_bytes,
                       count(DISTINCT hex(tag8)) AS tags8, count_if(status = 'PAID') AS status_paid,
                       sum(small) AS small, sum(amount) AS amount, sum(wide) AS wide, sum(fixed_amount) AS fixed_amount,
                       min(epoch_ms(created_at)) AS first_created, max(epoch_ms(created_at)) AS last_created,
                       sum(epoch_us(shipped_at)) AS shipped_micros, min(day - DATE '1970-01-01') AS first_day,
                       max(day - DATE '1970-01-01') AS last_day, count(DISTINCT uid) AS uids,
                       sum(len(tags)) AS tag_count,
                       sum(list_sum(list_transform(lines, lambda l: l.price))) AS line_prices,
                       sum(attrs['k']) AS attrs_k, count(address) AS addresses, sum(address.zip) AS zips,
                       count(choice.member0) AS choice_ints, count(choice.member1) AS choice_strings
                FROM read_parquet({files})""");
        assertAggregatesOfTheValuesProduced("DuckDB", duck);
    }

    /** Every aggregate of one engine's answer (its values as text) equals the one of the values produced. */
    private static void assertAggregatesOfTheValuesProduced(String engine, java.util.Map<String, String> row) {
        Expected expected = expected();
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        soft.assertThat(Long.parseLong(row.get("n"))).as(engine + " n").isEqualTo(RECORDS);
        soft.assertThat(Long.parseLong(row.get("ids"))).as(engine + " ids").isEqualTo(RECORDS);
        soft.assertThat(Long.parseLong(row.get("quantity"))).as(engine + " quantity").isEqualTo(expected.quantity);
        soft.assertThat(Double.parseDouble(row.get("ratio"))).as(engine + " ratio").isCloseTo(expected.ratio,
                org.assertj.core.data.Offset.offset(1e-3));
        soft.assertThat(Double.parseDouble(row.get("price"))).as(engine + " price").isCloseTo(expected.price,
                org.assertj.core.data.Offset.offset(1e-6));
        soft.assertThat(Long.parseLong(row.get("paid"))).as(engine + " paid").isEqualTo(expected.paid);
        soft.assertThat(Long.parseLong(row.get("note_chars"))).as(engine + " note_chars").isEqualTo(expected.noteChars);
        soft.assertThat(Long.parseLong(row.get("payload_bytes"))).as(engine + " payload_bytes")
                .isEqualTo(expected.payloadBytes);
        soft.assertThat(Long.parseLong(row.get("tags8"))).as(engine + " tags8").isEqualTo(RECORDS);
        soft.assertThat(Long.parseLong(row.get("status_paid"))).as(engine + " status_paid")
                .isEqualTo(expected.statusPaid);
        soft.assertThat(new BigDecimal(row.get("small"))).as(engine + " small").isEqualByComparingTo(expected.small);
        soft.assertThat(new BigDecimal(row.get("amount"))).as(engine + " amount").isEqualByComparingTo(expected.amount);
        soft.assertThat(new BigDecimal(row.get("wide"))).as(engine + " wide").isEqualByComparingTo(expected.wide);
        soft.assertThat(new BigDecimal(row.get("fixed_amount"))).as(engine + " fixed_amount")
                .isEqualByComparingTo(expected.fixedAmount);
        soft.assertThat(Long.parseLong(row.get("first_created"))).as(engine + " first_created").isEqualTo(BASE_MILLIS);
        soft.assertThat(Long.parseLong(row.get("last_created"))).as(engine + " last_created")
                .isEqualTo(BASE_MILLIS + (RECORDS - 1) * 11_001L);
        soft.assertThat(new BigDecimal(row.get("shipped_micros"))).as(engine + " shipped_micros")
                .isEqualByComparingTo(expected.shippedMicros);
        soft.assertThat(Integer.parseInt(row.get("first_day"))).as(engine + " first_day").isEqualTo(20_000);
        soft.assertThat(Integer.parseInt(row.get("last_day"))).as(engine + " last_day").isEqualTo(20_006);
        soft.assertThat(Long.parseLong(row.get("uids"))).as(engine + " uids").isEqualTo(RECORDS);
        soft.assertThat(Long.parseLong(row.get("tag_count"))).as(engine + " tag_count").isEqualTo(expected.tagCount);
        soft.assertThat(new BigDecimal(row.get("line_prices"))).as(engine + " line_prices")
                .isEqualByComparingTo(expected.linePrices);
        soft.assertThat(Long.parseLong(row.get("attrs_k"))).as(engine + " attrs_k").isEqualTo(expected.attrsK);
        soft.assertThat(Long.parseLong(row.get("addresses"))).as(engine + " addresses").isEqualTo(expected.addresses);
        soft.assertThat(Long.parseLong(row.get("zips"))).as(engine + " zips").isEqualTo(expected.zips);
        soft.assertThat(Long.parseLong(row.get("choice_ints"))).as(engine + " choice_ints")
                .isEqualTo(expected.choiceInts);
        soft.assertThat(Long.parseLong(row.get("choice_strings"))).as(engine + " choice_strings")
                .isEqualTo(expected.choiceStrings);
        soft.assertAll();
    }

    /**
     * One row of a DuckDB query over the Parquet files of the table's current version ({@code {files}} stands for
     * their list), every value as DuckDB renders it in text.
     */
    private static java.util.Map<String, String> duckDb(LakeTable table, String sql) throws Exception {
        String root = table.location().endsWith("/") ? table.location() : table.location() + "/";
        StringBuilder files = new StringBuilder("[");
        for (dev.lakehouse.table.DataFile file : table.snapshot().files()) {
            files.append(files.length() > 1 ? ", " : "").append("'")
                    .append(Path.of(java.net.URI.create(root + file.path())).toString().replace("'", "''"))
                    .append("'");
        }
        files.append("]");
        java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
        try (java.sql.Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement statement = duck.createStatement();
             java.sql.ResultSet result = statement.executeQuery(sql.replace("{files}", files))) {
            assertThat(result.next()).as("one result row").isTrue();
            java.sql.ResultSetMetaData columns = result.getMetaData();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                row.put(columns.getColumnName(i), result.getString(i));
            }
        }
        return row;
    }

    // ---- the values produced, and their aggregates --------------------------------------------------------------

    private static BigDecimal small(int i) {
        return BigDecimal.valueOf(i % 1_000 - 500, 2); // -5.00 .. 4.99
    }

    private static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i * 7_777_777L - 9_999_999_999L, 3);
    }

    private static BigDecimal wide(int i) {
        return new BigDecimal("12345678901234567890").multiply(BigDecimal.valueOf(i % 2 == 0 ? 1 : -1))
                .add(BigDecimal.valueOf(i)).movePointLeft(5);
    }

    private static BigDecimal fixedAmount(int i) {
        return new BigDecimal("1234567890123456789012345678").add(BigDecimal.valueOf(i)).movePointLeft(2);
    }

    private static BigDecimal linePrice(int i, int line) {
        return BigDecimal.valueOf(i * 100L + line, 2);
    }

    private static String note(int i) {
        return i % 5 == 0 ? null : i % 97 == 0 ? "n".repeat(20_000) : "note " + i;
    }

    private static GenericRecord order(int i) {
        GenericRecord r = new GenericData.Record(ORDER);
        r.put("order_id", (long) i);
        r.put("quantity", i % 13);
        r.put("ratio", i % 3 == 0 ? null : (float) (i % 10) / 4f);
        r.put("price", i * 0.5);
        r.put("paid", i % 2 == 0);
        r.put("note", note(i));
        r.put("payload", ByteBuffer.wrap(("payload-" + i).getBytes(StandardCharsets.UTF_8)));
        r.put("tag8", new GenericData.Fixed(ORDER.getField("tag8").schema(),
                ByteBuffer.allocate(8).putLong(i * 31L).array()));
        r.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(),
                List.of("PLACED", "PAID", "SHIPPED").get(i % 3)));
        r.put("small", unscaled(small(i)));
        r.put("amount", unscaled(amount(i)));
        r.put("wide", unscaled(wide(i)));
        byte[] fixed = new byte[16];
        byte[] bytes = fixedAmount(i).unscaledValue().toByteArray();
        System.arraycopy(bytes, 0, fixed, 16 - bytes.length, bytes.length);
        r.put("fixed_amount", new GenericData.Fixed(ORDER.getField("fixed_amount").schema(), fixed));
        r.put("created_at", BASE_MILLIS + i * 11_001L);
        r.put("shipped_at", i % 4 == 0 ? null : (BASE_MILLIS + i * 11_001L) * 1_000L + 123);
        r.put("day", 20_000 + i % 7);
        r.put("uid", new UUID(7, i).toString());
        r.put("tags", List.of("t" + i % 4, "all").subList(0, 1 + i % 2));
        Schema line = ORDER.getField("lines").schema().getElementType();
        List<GenericRecord> lines = new ArrayList<>();
        for (int l = 0; l < i % 3; l++) {
            GenericRecord item = new GenericData.Record(line);
            item.put("sku", "sku-" + l);
            item.put("price", unscaled(linePrice(i, l)));
            lines.add(item);
        }
        r.put("lines", lines);
        r.put("attrs", Map.of("k", (long) i));
        Schema address = ORDER.getField("address").schema().getTypes().get(1);
        GenericRecord a = new GenericData.Record(address);
        a.put("city", "city " + i % 9);
        a.put("zip", i % 2 == 0 ? null : i);
        r.put("address", i % 6 == 0 ? null : a);
        r.put("choice", i % 3 == 0 ? null : i % 3 == 1 ? (Object) i : "s" + i);
        return r;
    }

    private static ByteBuffer unscaled(BigDecimal value) {
        return ByteBuffer.wrap(value.unscaledValue().toByteArray());
    }

    private static final class Expected {
        long quantity;
        double ratio;
        double price;
        long paid;
        long noteChars;
        long payloadBytes;
        long statusPaid;
        BigDecimal small = BigDecimal.ZERO;
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal wide = BigDecimal.ZERO;
        BigDecimal fixedAmount = BigDecimal.ZERO;
        BigDecimal shippedMicros = BigDecimal.ZERO;
        long tagCount;
        BigDecimal linePrices = BigDecimal.ZERO;
        long attrsK;
        long addresses;
        long zips;
        long choiceInts;
        long choiceStrings;
    }

    private static Expected expected() {
        Expected e = new Expected();
        for (int i = 0; i < RECORDS; i++) {
            e.quantity += i % 13;
            e.ratio += i % 3 == 0 ? 0 : (float) (i % 10) / 4f;
            e.price += i * 0.5;
            e.paid += i % 2 == 0 ? 1 : 0;
            e.noteChars += note(i) == null ? 0 : note(i).length();
            e.payloadBytes += ("payload-" + i).length();
            e.statusPaid += i % 3 == 1 ? 1 : 0;
            e.small = e.small.add(small(i));
            e.amount = e.amount.add(amount(i));
            e.wide = e.wide.add(wide(i));
            e.fixedAmount = e.fixedAmount.add(fixedAmount(i));
            if (i % 4 != 0) {
                e.shippedMicros = e.shippedMicros.add(BigDecimal.valueOf((BASE_MILLIS + i * 11_001L) * 1_000L + 123));
            }
            e.tagCount += 1 + i % 2;
            for (int l = 0; l < i % 3; l++) {
                e.linePrices = e.linePrices.add(linePrice(i, l));
            }
            e.attrsK += i;
            if (i % 6 != 0) {
                e.addresses++;
                e.zips += i % 2 == 0 ? 0 : i;
            }
            e.choiceInts += i % 3 == 1 ? 1 : 0;
            e.choiceStrings += i % 3 == 2 ? 1 : 0;
        }
        return e;
    }
}
