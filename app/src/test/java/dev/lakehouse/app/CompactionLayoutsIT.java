package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/lakehouse compact} on every partition layout a pipeline can configure, each table written by catch-up
 * runs of the shipped configuration from nested Avro orders, in files of an older and a newer schema (a field added
 * at the top and inside a nested record): a plain column ({@code currency}, with null values and a partition holding
 * one row), a plain column with a day transform, a day transform alone, a month transform with sorted compaction,
 * and no partitions. Every table is read back by Delta Kernel with exactly the rows it held before compaction and
 * every value as produced, and by <strong>Spark 4 with its default settings</strong> with the aggregates of the
 * orders produced. (Every table partitioned by a plain column failed to compact with {@code writing empty page}.)
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class CompactionLayoutsIT {

    private static final int PER_RUN = 1_000;
    private static final int RUNS = 3;
    private static final int ORDERS = PER_RUN * RUNS;
    private static final long BASE_MILLIS = 1_796_292_000_000L; // 2026-12-02T08:40:00Z
    /** The one order in the JPY partition. */
    private static final int LONE_ORDER = 1_234;

    private static final Schema V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "layouts", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "currency", "type": ["null", "string"], "default": null},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "name", "type": "string"},
                {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
                  {"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "int"], "default": null}]}],
                 "default": null}]}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attrs", "type": {"type": "map", "values": "long"}}
            ]}""");
    /** V1 with a field added inside the nested customer record, and a string and a nested record at the top. */
    private static final Schema V2 = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "layouts", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "currency", "type": ["null", "string"], "default": null},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "name", "type": "string"},
                {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
                  {"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "int"], "default": null}]}],
                 "default": null},
                {"name": "tier", "type": ["null", "int"], "default": null}]}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attrs", "type": {"type": "map", "values": "long"}},
              {"name": "coupon", "type": ["null", "string"], "default": null},
              {"name": "shipping", "type": ["null", {"type": "record", "name": "Shipping", "fields": [
                {"name": "carrier", "type": "string"}, {"name": "days", "type": ["null", "int"], "default": null}]}],
               "default": null}
            ]}""");

    /** A pipeline's table layout: its {@code partition-by} entries and its compaction's sort columns. */
    private record Layout(List<String> partitionBy, List<String> sortBy) {
    }

    private static final Map<String, Layout> LAYOUTS = new LinkedHashMap<>();

    static {
        LAYOUTS.put("by_currency", new Layout(List.of("currency"), List.of()));
        LAYOUTS.put("by_currency_day", new Layout(List.of("currency", "day(created_at) as order_date"), List.of()));
        LAYOUTS.put("by_day", new Layout(List.of("day(created_at) as order_date"), List.of()));
        LAYOUTS.put("by_month_sorted", new Layout(List.of("month(created_at)"), List.of("order_id")));
        LAYOUTS.put("unpartitioned", new Layout(List.of(), List.of()));
    }

    @TempDir
    Path dir;

    @Test
    void everyPartitionLayoutCompactsThroughThePublicCommandAndReadsBackUnchangedByKernelAndSpark(
            LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("layouts");
        kafka.createTopic(topic, 2);
        Path config = writeConfig(kafka, registry, topic);
        Path log = Path.of("target", "compaction-layouts.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            // Three catch-up runs, the first of the older schema: several small files per partition, of two layouts.
            for (int run = 0; run < RUNS; run++) {
                Schema schema = run == 0 ? V1 : V2;
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                for (int i = run * PER_RUN; i < (run + 1) * PER_RUN; i++) {
                    records.add(new ProducerRecord<>(topic, i % 2, null,
                            serializer.serialize(topic, RecordPart.VALUE, order(schema, i))));
                }
                KafkaTestClients.produceAll(kafka, records);
                assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                        .as("run --once (see %s)", log).isZero();
            }
        }

        for (String name : LAYOUTS.keySet()) {
            String location = location(name);
            Map<Long, String> before = rowsById(location);
            int filesBefore = LakeTable.open(TableOptions.builder(location).build()).snapshot().files().size();

            assertThat(ApplianceProcess.runToExit(log, "compact", "--config", config.toString(), "--table", name))
                    .as("compact %s (see %s)", name, log).isZero();

            LakeTable table = LakeTable.open(TableOptions.builder(location).build());
            assertThat(table.history(20)).as("%s: compaction committed", name)
                    .anyMatch(c -> "OPTIMIZE".equals(c.parameters().get("operation")));
            assertThat(table.snapshot().files()).as("%s: fewer files than %d", name, filesBefore)
                    .hasSizeLessThan(filesBefore);
            Map<Long, String> after = rowsById(location);
            assertThat(after).as("%s: the rows Kernel reads after compaction", name).isEqualTo(before);
            assertThat(after).as("%s: every order once", name).hasSize(ORDERS);
            for (int i = 0; i < ORDERS; i++) {
                assertThat(after.get((long) i)).as("%s: order %d", name, i).isEqualTo(expectedRow(i));
            }
        }

        StringBuilder sql = new StringBuilder();
        for (String name : LAYOUTS.keySet()) {
            if (!sql.isEmpty()) {
                sql.append(" UNION ALL ");
            }
            sql.append("""
                    SELECT '%s' AS layout, count(*) AS n, count(DISTINCT order_id) AS ids, sum(amount) AS amount,
                           count_if(currency IS NULL) AS no_currency, count_if(currency = 'JPY') AS jpy,
                           sum(unix_millis(created_at)) AS created, sum(customer.address.zip) AS zips,
                           count(customer.address) AS addresses, sum(customer.tier) AS tiers, count(coupon) AS coupons,
                           count(shipping) AS shipped, sum(shipping.days) AS shipping_days,
                           sum(size(tags)) AS tag_count, sum(attrs['k']) AS attrs_k
                    FROM delta.`%s`""".formatted(name, Path.of(java.net.URI.create(location(name)))));
        }
        List<JsonNode> spark = SparkPeer.query(location("by_currency"), sql.toString(), "spark-layouts.log");
        assertThat(spark).as("a row per layout (see target/spark-layouts.log)").hasSize(LAYOUTS.size());
        Expected expected = expected();
        for (JsonNode row : spark) {
            String layout = row.path("layout").asText();
            assertThat(row.path("n").asLong()).as(layout).isEqualTo(ORDERS);
            assertThat(row.path("ids").asLong()).as(layout).isEqualTo(ORDERS);
            assertThat(row.path("amount").decimalValue()).as(layout).isEqualByComparingTo(expected.amount);
            assertThat(row.path("no_currency").asLong()).as(layout).isEqualTo(expected.noCurrency);
            assertThat(row.path("jpy").asLong()).as(layout).isEqualTo(1);
            assertThat(row.path("created").decimalValue()).as(layout)
                    .isEqualByComparingTo(BigDecimal.valueOf(expected.created));
            assertThat(row.path("zips").asLong()).as(layout).isEqualTo(expected.zips);
            assertThat(row.path("addresses").asLong()).as(layout).isEqualTo(expected.addresses);
            assertThat(row.path("tiers").asLong()).as(layout).isEqualTo(expected.tiers);
            assertThat(row.path("coupons").asLong()).as(layout).isEqualTo(expected.coupons);
            assertThat(row.path("shipped").asLong()).as(layout).isEqualTo(expected.shipped);
            assertThat(row.path("shipping_days").asLong()).as(layout).isEqualTo(expected.shippingDays);
            assertThat(row.path("tag_count").asLong()).as(layout).isEqualTo(expected.tagCount);
            assertThat(row.path("attrs_k").asLong()).as(layout).isEqualTo(expected.attrsK);
        }
    }

    private String location(String name) {
        return dir.resolve(name).toUri().toString();
    }

    private Path writeConfig(LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic) throws Exception {
        ApplianceYaml yaml = new ApplianceYaml();
        for (Map.Entry<String, Layout> layout : LAYOUTS.entrySet()) {
            ShippedConfig.pipeline(yaml, layout.getKey(), kafka, registry, topic, location(layout.getKey()),
                            "appliance-1")
                    .set("table.partition-by", layout.getValue().partitionBy())
                    .set("compaction.min-input-files", 2)
                    .set("compaction.sort-by", layout.getValue().sortBy());
        }
        return yaml.console("host", "127.0.0.1").console("port", 0).write(dir.resolve("lakehouse.yaml"));
    }

    // ---- the orders produced ------------------------------------------------------------------------------------

    private static String currency(int i) {
        if (i == LONE_ORDER) {
            return "JPY";
        }
        int bucket = i % 10;
        return bucket < 4 ? "EUR" : bucket < 7 ? "USD" : bucket < 9 ? "GBP" : null;
    }

    private static long createdAt(int i) {
        return BASE_MILLIS + i * 97_003L; // three days and a bit over the orders, across a month's end
    }

    private static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i * 1_234L - 99_999, 2);
    }

    private static Integer zip(int i) {
        return i % 2 == 0 ? null : 10_000 + i;
    }

    private static boolean hasAddress(int i) {
        return i % 6 != 0;
    }

    private static Integer tier(int i) {
        return i < PER_RUN || i % 3 == 0 ? null : i % 5;
    }

    private static String coupon(int i) {
        return i < PER_RUN || i % 4 == 0 ? null : "C" + i;
    }

    private static String carrier(int i) {
        return i < PER_RUN || i % 3 == 1 ? null : "carrier " + i % 7;
    }

    private static Integer shippingDays(int i) {
        return i % 2 == 0 ? null : i % 11;
    }

    private static GenericRecord shipping(Schema schema, int i) {
        if (carrier(i) == null) {
            return null;
        }
        GenericRecord shipping = new GenericData.Record(schema.getField("shipping").schema().getTypes().get(1));
        shipping.put("carrier", carrier(i));
        shipping.put("days", shippingDays(i));
        return shipping;
    }

    private static List<String> tags(int i) {
        return List.of("t" + i % 4, "all").subList(0, 1 + i % 2);
    }

    private static GenericRecord order(Schema schema, int i) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("order_id", (long) i);
        r.put("currency", currency(i));
        r.put("created_at", createdAt(i));
        r.put("amount", ByteBuffer.wrap(amount(i).unscaledValue().toByteArray()));
        Schema customerSchema = schema.getField("customer").schema();
        GenericRecord customer = new GenericData.Record(customerSchema);
        customer.put("name", "customer " + i % 50);
        GenericRecord address = new GenericData.Record(customerSchema.getField("address").schema().getTypes().get(1));
        address.put("city", "city " + i % 9);
        address.put("zip", zip(i));
        customer.put("address", hasAddress(i) ? address : null);
        if (customerSchema.getField("tier") != null) {
            customer.put("tier", tier(i));
            r.put("coupon", coupon(i));
            r.put("shipping", shipping(schema, i));
        }
        r.put("customer", customer);
        r.put("tags", tags(i));
        r.put("attrs", Map.of("k", (long) i));
        return r;
    }

    /** An order as Kernel returns it, in one canonical string (timestamps in micros, maps sorted). */
    private static String expectedRow(int i) {
        Map<String, Object> address = new TreeMap<>();
        address.put("city", "city " + i % 9);
        address.put("zip", zip(i));
        Map<String, Object> customer = new TreeMap<>();
        customer.put("name", "customer " + i % 50);
        customer.put("address", hasAddress(i) ? address : null);
        customer.put("tier", tier(i));
        Map<String, Object> row = new TreeMap<>();
        row.put("order_id", (long) i);
        row.put("currency", currency(i));
        row.put("created_at", createdAt(i) * 1_000L);
        row.put("amount", amount(i));
        row.put("customer", customer);
        row.put("tags", tags(i));
        row.put("attrs", Map.of("k", (long) i));
        row.put("coupon", coupon(i));
        Map<String, Object> shipping = new TreeMap<>();
        shipping.put("carrier", carrier(i));
        shipping.put("days", shippingDays(i));
        row.put("shipping", carrier(i) == null ? null : shipping);
        return row.toString();
    }

    /** The table's rows by order id, each in the canonical form of {@link #expectedRow}, derived columns left out. */
    private static Map<Long, String> rowsById(String location) {
        Map<Long, String> rows = new HashMap<>();
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            Map<String, Object> canonical = new TreeMap<>();
            for (String column : List.of("order_id", "currency", "created_at", "amount", "customer", "tags", "attrs",
                    "coupon", "shipping")) {
                canonical.put(column, canonical(row.get(column)));
            }
            assertThat(rows.put((Long) row.get("order_id"), canonical.toString()))
                    .as("order %s appears once in %s", row.get("order_id"), location).isNull();
        }
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static Object canonical(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            ((Map<Object, Object>) map).forEach((k, v) -> sorted.put(String.valueOf(k), canonical(v)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CompactionLayoutsIT::canonical).toList();
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.setScale(2);
        }
        return value;
    }

    private static final class Expected {
        BigDecimal amount = BigDecimal.ZERO;
        long noCurrency;
        long created;
        long zips;
        long addresses;
        long tiers;
        long coupons;
        long shipped;
        long shippingDays;
        long tagCount;
        long attrsK;
    }

    private static Expected expected() {
        Expected e = new Expected();
        for (int i = 0; i < ORDERS; i++) {
            e.amount = e.amount.add(amount(i));
            e.noCurrency += currency(i) == null ? 1 : 0;
            e.created += createdAt(i);
            if (hasAddress(i)) {
                e.addresses++;
                e.zips += zip(i) == null ? 0 : zip(i);
            }
            e.tiers += tier(i) == null ? 0 : tier(i);
            e.coupons += coupon(i) == null ? 0 : 1;
            if (carrier(i) != null) {
                e.shipped++;
                e.shippingDays += shippingDays(i) == null ? 0 : shippingDays(i);
            }
            e.tagCount += tags(i).size();
            e.attrsK += i;
        }
        return e;
    }
}
