package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyed table ({@code table.mode: upsert}) fed by {@code bin/lakehouse run} with the shipped configuration (a
 * fixed instance id, the console on, the default JVM options) from a change stream: a snapshot of every key, then
 * updates, deletes (tombstones keyed by the id as text) and new keys, produced while the appliance is SIGKILLed
 * after commits and started again. The table Delta Kernel reads must equal the final state computed here from the
 * events produced, one row per key, and Spark with its default settings must count the same. (A compaction racing a
 * merge is {@code KeyedMergeIT}'s: a merge of a table this small rewrites its one file each time.)
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class KeyedTableIT {

    private static final int PARTITIONS = 3;
    private static final int KEYS = 2_000;
    private static final int CHANGES = 12_000;
    private static final int KILLS = Integer.getInteger("keyed.kills", 2);

    private static final Schema CUSTOMER = new Schema.Parser().parse("""
            {"type": "record", "name": "Customer", "namespace": "keyed", "fields": [
              {"name": "id", "type": "long"},
              {"name": "name", "type": "string"},
              {"name": "tier", "type": ["null", "int"], "default": null},
              {"name": "version", "type": "long"}]}""");

    @TempDir
    Path dir;

    /** The expected table: id → "name/tier/version", computed from the events alone. */
    private final TreeMap<Long, String> expected = new TreeMap<>();

    @Test
    void theTableEqualsTheFinalStateOfAChangeStreamThroughSigkills(LocalKafkaBroker kafka,
                                                                   SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("customers");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("customers").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve("lakehouse.yaml"), kafka, registry, topic, location,
                "appliance-1", pipeline -> pipeline.set("table.mode", "upsert").set("table.key", List.of("id"))
                        .set("table.partition-by", List.of())
                        // Small batches: many merges per run, so the kills land among them.
                        .set("trigger.max-records", 400));
        Path log = Path.of("target", "keyed-table.log").toAbsolutePath();
        Files.deleteIfExists(log);
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());

        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            List<List<ProducerRecord<byte[], byte[]>>> rounds = events(topic, serializer);
            Random random = new Random(7);
            for (int round = 0; round < rounds.size(); round++) {
                KafkaTestClients.produceAll(kafka, rounds.get(round));
                Process appliance = ApplianceProcess.startInstalled(config, log);
                if (round < KILLS) {
                    long versionAtStart = table.exists() ? table.snapshot().version() : -1;
                    // Killed once it has committed at least one merge of this round, at a random moment after.
                    await().atMost(Duration.ofMinutes(2)).until(() -> !appliance.isAlive()
                            || (table.exists() && table.snapshot().version() > versionAtStart));
                    TimeUnit.MILLISECONDS.sleep(random.nextInt(1_500));
                    assertThat(appliance.isAlive()).as("appliance alive before the kill (see %s)", log).isTrue();
                    appliance.destroyForcibly();
                    assertThat(appliance.waitFor(30, TimeUnit.SECONDS)).isTrue();
                } else {
                    long end = (long) CHANGES + KEYS;
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> !appliance.isAlive() || committedOffsets(table, topic) >= end);
                    appliance.destroy();
                    assertThat(appliance.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(appliance.exitValue()).as("exit code after SIGTERM (see %s)", log).isIn(0, 143);
                }
            }
        }

        TreeMap<Long, String> actual = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            String previous = actual.put((Long) row.get("id"), row.get("name") + "/" + row.get("tier") + "/"
                    + row.get("version"));
            assertThat(previous).as("one row for key %s", row.get("id")).isNull();
        }
        assertSameRows(actual, "the table Delta Kernel reads");
        List<TableCommit> history = table.history(1_000);
        assertThat(history).as("merges in the history").anyMatch(c -> c.operation().equals("MERGE")
                && Long.parseLong(c.metrics().getOrDefault("numTargetRowsDeleted", "0")) > 0
                && Long.parseLong(c.metrics().getOrDefault("numTargetRowsUpdated", "0")) > 0);
        assertThat(Files.readString(log)).doesNotContain("FAILED").doesNotContain("OutOfMemoryError");

        List<JsonNode> spark = SparkPeer.query(location, "SELECT count(*) AS n, count(DISTINCT id) AS ids, "
                + "sum(version) AS versions FROM {table}", "spark-keyed.log");
        assertThat(spark).hasSize(1);
        assertThat(spark.get(0).path("n").asLong()).isEqualTo(expected.size());
        assertThat(spark.get(0).path("ids").asLong()).isEqualTo(expected.size());
        assertThat(spark.get(0).path("versions").asLong()).isEqualTo(expected.values().stream()
                .mapToLong(v -> Long.parseLong(v.substring(v.lastIndexOf('/') + 1))).sum());
    }

    /** The sum of the table's next offsets of the topic's partitions. */
    private static long committedOffsets(LakeTable table, String topic) {
        if (!table.exists()) {
            return 0;
        }
        long sum = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            sum += Math.max(0, table.txnVersion("orders/" + topic + "/" + p));
        }
        return sum;
    }

    /**
     * A snapshot of every key, then changes (75 % updates, 15 % deletes, 10 % new keys; a deleted key may come back),
     * in rounds: one per run of the appliance. A key is always in the partition of its id, as a keyed producer does.
     */
    private List<List<ProducerRecord<byte[], byte[]>>> events(String topic, ConfluentAvroSerializer serializer) {
        Random random = new Random(42);
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
        Map<Long, Long> versions = new TreeMap<>();
        for (long id = 0; id < KEYS; id++) {
            all.add(upsert(topic, serializer, id, 1, versions));
        }
        long nextKey = KEYS;
        for (int i = 0; i < CHANGES; i++) {
            int dice = random.nextInt(100);
            if (dice < 10) {
                all.add(upsert(topic, serializer, nextKey++, 1, versions));
            } else {
                long id = random.nextInt((int) nextKey);
                if (dice < 25 && versions.containsKey(id)) {
                    versions.remove(id);
                    expected.remove(id);
                    all.add(new ProducerRecord<>(topic, (int) (id % PARTITIONS),
                            Long.toString(id).getBytes(StandardCharsets.UTF_8), null));
                } else {
                    all.add(upsert(topic, serializer, id, versions.getOrDefault(id, 0L) + 1, versions));
                }
            }
        }
        List<List<ProducerRecord<byte[], byte[]>>> rounds = new ArrayList<>();
        int per = all.size() / (KILLS + 1);
        for (int r = 0; r <= KILLS; r++) {
            rounds.add(all.subList(r * per, r == KILLS ? all.size() : (r + 1) * per));
        }
        return rounds;
    }

    private ProducerRecord<byte[], byte[]> upsert(String topic, ConfluentAvroSerializer serializer, long id,
                                                  long version, Map<Long, Long> versions) {
        GenericRecord row = new GenericData.Record(CUSTOMER);
        String name = "customer " + id + " v" + version;
        Integer tier = version % 3 == 0 ? null : (int) (version % 3);
        row.put("id", id);
        row.put("name", name);
        row.put("tier", tier);
        row.put("version", version);
        versions.put(id, version);
        expected.put(id, name + "/" + tier + "/" + version);
        return new ProducerRecord<>(topic, (int) (id % PARTITIONS), Long.toString(id).getBytes(StandardCharsets.UTF_8),
                serializer.serialize(topic, RecordPart.VALUE, row));
    }

    @Test
    void aDebeziumChangeStreamInKafkaConnectsJsonBecomesTheDatabaseTable(LocalKafkaBroker kafka,
                                                                       SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("dbserver1.public.customers");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("customers-cdc").toUri().toString();
        // The rows' schema, as the table's columns: what Debezium's 'after' holds for the database table.
        Files.writeString(dir.resolve("customer.avsc"), CUSTOMER.toString(true));
        Path config = ShippedConfig.write(dir.resolve("cdc.yaml"), kafka, registry, topic, location, "appliance-1",
                pipeline -> pipeline.set("format", "json").set("value-schema-file", "customer.avsc")
                        .set("source.envelope", "debezium").set("table.mode", "upsert")
                        .set("table.key", List.of("id")).set("table.version-column", "version")
                        .set("table.partition-by", List.of()));
        Path log = Path.of("target", "keyed-table-debezium.log").toAbsolutePath();
        Files.deleteIfExists(log);

        Random random = new Random(11);
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        Map<Long, Long> versions = new TreeMap<>();
        for (long id = 0; id < 500; id++) { // the connector's snapshot: reads
            events.add(change(topic, "r", id, null, row(id, 1, versions), random.nextBoolean()));
        }
        long nextKey = 500;
        int truncates = 0;
        int stale = 0;
        for (int i = 0; i < 3_000; i++) {
            int dice = random.nextInt(100);
            boolean withSchema = random.nextBoolean();
            if (dice < 10) {
                events.add(change(topic, "c", nextKey, null, row(nextKey, 1, versions), withSchema));
                nextKey++;
            } else if (dice == 99) {
                // A TRUNCATE is not applied: a dead letter saying so, and the table unchanged.
                events.add(new ProducerRecord<>(topic, 0, null,
                        "{\"op\": \"t\", \"before\": null, \"after\": null}".getBytes(StandardCharsets.UTF_8)));
                truncates++;
            } else {
                long id = random.nextInt((int) nextKey);
                if (dice < 25 && versions.containsKey(id)) {
                    Map<String, Object> before = Map.of("id", id, "name", "customer " + id + " v" + versions.get(id),
                            "version", versions.get(id));
                    versions.remove(id);
                    expected.remove(id);
                    events.add(change(topic, "d", id, before, null, withSchema));
                    // Debezium's tombstone for log compaction follows every delete.
                    events.add(new ProducerRecord<>(topic, (int) (id % PARTITIONS), jsonKey(id, withSchema), null));
                } else if (versions.containsKey(id)) {
                    long previous = versions.get(id);
                    events.add(change(topic, "u", id, null, row(id, previous + 1, versions), withSchema));
                    if (dice > 90) {
                        // A stale copy of the previous version arrives late (a replay, a reordering): the version
                        // column keeps the newer row.
                        String newer = expected.get(id);
                        Map<Long, Long> scratch = new TreeMap<>();
                        events.add(change(topic, "u", id, null, row(id, previous, scratch), withSchema));
                        expected.put(id, newer);
                        stale++;
                    }
                } else {
                    events.add(change(topic, "c", id, null, row(id, 1, versions), withSchema));
                }
            }
        }
        KafkaTestClients.produceAll(kafka, events);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("run --once (see %s)", log).isZero();

        TreeMap<Long, String> actual = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            assertThat(actual.put((Long) row.get("id"), row.get("name") + "/" + row.get("tier") + "/"
                    + row.get("version"))).as("one row for key %s", row.get("id")).isNull();
        }
        assertSameRows(actual, "the table equals the database table the events describe");
        assertThat(stale).as("late events sent").isPositive();
        long skipped = LakeTable.open(TableOptions.builder(location).build()).history(1_000).stream()
                .mapToLong(c -> Long.parseLong(c.metrics().getOrDefault("numSourceRowsSkipped", "0"))).sum();
        assertThat(skipped).as("late events skipped by the version column").isGreaterThanOrEqualTo(stale);
        long letters = KernelReader.read(location + "_dead_letters").rows().stream()
                .filter(r -> "UNKNOWN_OPERATION".equals(String.valueOf(r.get("reason")))).count();
        assertThat(letters).as("truncates as dead letters").isEqualTo(truncates).isPositive();
    }

    /**
     * A table per topic without {@code table.key}: each table is keyed by the fields of its topic's Kafka key (Avro
     * records through the registry, a composite key on one topic), the key is recorded in the table, later runs use
     * it, and a configuration naming another key is refused for that table with a message saying which key it has.
     */
    @Test
    void aTablePerTopicIsKeyedByEachTopicsKafkaKeyAndKeepsThatKey(LocalKafkaBroker kafka,
                                                                  SchemaRegistryServer registry) throws Exception {
        String prefix = TestNames.unique("inventory");
        String items = prefix + ".items";
        String stock = prefix + ".stock";
        kafka.createTopic(items, PARTITIONS);
        kafka.createTopic(stock, PARTITIONS);
        Schema itemKey = new Schema.Parser().parse("""
                {"type": "record", "name": "ItemKey", "namespace": "inventory", "fields": [
                  {"name": "sku", "type": "string"}]}""");
        Schema item = new Schema.Parser().parse("""
                {"type": "record", "name": "Item", "namespace": "inventory", "fields": [
                  {"name": "sku", "type": "string"}, {"name": "title", "type": "string"}]}""");
        Schema stockKey = new Schema.Parser().parse("""
                {"type": "record", "name": "StockKey", "namespace": "inventory", "fields": [
                  {"name": "warehouse", "type": "string"}, {"name": "sku", "type": "string"}]}""");
        Schema level = new Schema.Parser().parse("""
                {"type": "record", "name": "Stock", "namespace": "inventory", "fields": [
                  {"name": "warehouse", "type": "string"}, {"name": "sku", "type": "string"},
                  {"name": "quantity", "type": "int"}]}""");
        Map<String, String> expectedItems = new TreeMap<>();
        Map<String, String> expectedStock = new TreeMap<>();
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        Random random = new Random(5);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            for (int i = 0; i < 2_000; i++) {
                String sku = "sku-" + random.nextInt(300);
                String warehouse = "wh-" + random.nextInt(4);
                boolean delete = random.nextInt(10) == 0;
                if (random.nextBoolean()) {
                    byte[] key = serializer.serialize(items, RecordPart.KEY, record(itemKey, "sku", sku));
                    String title = "item " + sku + " #" + i;
                    events.add(new ProducerRecord<>(items, key, delete ? null : serializer.serialize(items,
                            RecordPart.VALUE, record(item, "sku", sku, "title", title))));
                    if (delete) {
                        expectedItems.remove(sku);
                    } else {
                        expectedItems.put(sku, title);
                    }
                } else {
                    byte[] key = serializer.serialize(stock, RecordPart.KEY,
                            record(stockKey, "warehouse", warehouse, "sku", sku));
                    events.add(new ProducerRecord<>(stock, key, delete ? null : serializer.serialize(stock,
                            RecordPart.VALUE, record(level, "warehouse", warehouse, "sku", sku, "quantity", i))));
                    if (delete) {
                        expectedStock.remove(warehouse + "/" + sku);
                    } else {
                        expectedStock.put(warehouse + "/" + sku, Integer.toString(i));
                    }
                }
            }
        }
        KafkaTestClients.produceAll(kafka, events); // the default partitioner: by the key's bytes
        Path tables = dir.resolve("inventory");
        java.util.function.Function<List<String>, Path> config = key -> {
            dev.lakehouse.app.config.ApplianceYaml yaml = new dev.lakehouse.app.config.ApplianceYaml();
            ApplianceYaml.Pipeline pipeline = yaml.pipeline("inventory").set("instance-id", "appliance-1")
                    .set("source.bootstrap-servers", kafka.bootstrapServers())
                    .set("source.topic-pattern", java.util.regex.Pattern.quote(prefix) + "\\..*")
                    .set("source.starting-position", "earliest")
                    .set("registry.url", registry.url())
                    .set("table.location", tables.toUri() + "/{topic}")
                    .set("table.mode", "upsert")
                    .set("trigger.interval", "1s");
            if (!key.isEmpty()) {
                pipeline.set("table.key", key);
            }
            try {
                return yaml.console("host", "127.0.0.1").console("port", 0)
                        .write(dir.resolve("inventory-" + key.size() + ".yaml"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Path log = Path.of("target", "keyed-table-per-topic.log").toAbsolutePath();
        Files.deleteIfExists(log);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.apply(List.of()).toString(), "--once"))
                .as("run --once (see %s)", log).isZero();

        String itemsTable = tables.resolve(items).toUri().toString();
        String stockTable = tables.resolve(stock).toUri().toString();
        assertThat(LakeTable.open(TableOptions.builder(itemsTable).build()).snapshot().keyColumns())
                .as("recorded key of %s", items).containsExactly("sku");
        assertThat(LakeTable.open(TableOptions.builder(stockTable).build()).snapshot().keyColumns())
                .as("recorded key of %s", stock).containsExactly("warehouse", "sku");
        Map<String, String> actualItems = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(itemsTable).rows()) {
            assertThat(actualItems.put((String) row.get("sku"), (String) row.get("title")))
                    .as("one row for %s", row.get("sku")).isNull();
        }
        assertThat(actualItems).isEqualTo(expectedItems).isNotEmpty();
        Map<String, String> actualStock = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(stockTable).rows()) {
            assertThat(actualStock.put(row.get("warehouse") + "/" + row.get("sku"), String.valueOf(row.get("quantity"))))
                    .as("one row for %s/%s", row.get("warehouse"), row.get("sku")).isNull();
        }
        assertThat(actualStock).as("one row per (warehouse, sku): the composite Kafka key")
                .isEqualTo(expectedStock).isNotEmpty();

        // A configuration that names a key: the items table has it, the stock table was created with another. The
        // stock table is refused; the items table goes on with the changes produced since.
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            List<ProducerRecord<byte[], byte[]>> more = new ArrayList<>();
            for (String sku : List.copyOf(expectedItems.keySet())) {
                String title = "renamed " + sku;
                more.add(new ProducerRecord<>(items, serializer.serialize(items, RecordPart.KEY,
                        record(itemKey, "sku", sku)), serializer.serialize(items, RecordPart.VALUE,
                        record(item, "sku", sku, "title", title))));
                expectedItems.put(sku, title);
            }
            KafkaTestClients.produceAll(kafka, more);
        }
        Path refusedLog = Path.of("target", "keyed-table-per-topic-refused.log").toAbsolutePath();
        Files.deleteIfExists(refusedLog);
        assertThat(ApplianceProcess.runToExit(refusedLog, "run", "--config",
                config.apply(List.of("sku")).toString(), "--once")).as("run --once (see %s)", refusedLog).isNotZero();
        assertThat(Files.readString(refusedLog)).contains("is keyed by [warehouse, sku] since its creation, but "
                + "table.key says [sku]");
        Map<String, String> renamed = new TreeMap<>();
        KernelReader.read(itemsTable).rows().forEach(row -> renamed.put((String) row.get("sku"),
                (String) row.get("title")));
        assertThat(renamed).as("the items table, not refused, took its new changes").isEqualTo(expectedItems);
    }

    /**
     * A compacted topic keyed by text whose values do not repeat the key: {@code table.kafka-key-column} makes the
     * key a column of its own and the table's key; tombstones delete by it.
     */
    @Test
    void aCompactedTopicKeyedByTextBecomesOneRowPerKeyInTheKeysColumn(LocalKafkaBroker kafka,
                                                                     SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("prices");
        kafka.createTopic(topic, PARTITIONS);
        Schema price = new Schema.Parser().parse("""
                {"type": "record", "name": "Price", "namespace": "shop", "fields": [
                  {"name": "amount", "type": "long"}, {"name": "currency", "type": "string"}]}""");
        Map<String, Long> expectedPrices = new TreeMap<>();
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        Random random = new Random(3);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            for (int i = 0; i < 3_000; i++) {
                String sku = "sku-" + random.nextInt(400);
                byte[] key = sku.getBytes(StandardCharsets.UTF_8); // a StringSerializer's key
                if (random.nextInt(8) == 0) {
                    events.add(new ProducerRecord<>(topic, key, null));
                    expectedPrices.remove(sku);
                } else {
                    events.add(new ProducerRecord<>(topic, key, serializer.serialize(topic, RecordPart.VALUE,
                            record(price, "amount", (long) i, "currency", "EUR"))));
                    expectedPrices.put(sku, (long) i);
                }
            }
        }
        KafkaTestClients.produceAll(kafka, events);
        String location = dir.resolve("prices").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve("prices.yaml"), kafka, registry, topic, location, "appliance-1",
                pipeline -> pipeline.set("table.mode", "upsert").set("table.kafka-key-column", "sku")
                        .set("table.partition-by", List.of()));
        Path log = Path.of("target", "keyed-table-kafka-key-column.log").toAbsolutePath();
        Files.deleteIfExists(log);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("run --once (see %s)", log).isZero();

        assertThat(LakeTable.open(TableOptions.builder(location).build()).snapshot().keyColumns())
                .containsExactly("sku");
        Map<String, Long> actual = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            assertThat(actual.put((String) row.get("sku"), (Long) row.get("amount")))
                    .as("one row for %s", row.get("sku")).isNull();
        }
        assertThat(actual).as("the latest price of every key not deleted since").isEqualTo(expectedPrices)
                .isNotEmpty();
    }

    private static GenericRecord record(Schema schema, Object... fieldsAndValues) {
        GenericRecord record = new GenericData.Record(schema);
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            record.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        return record;
    }

    private Map<String, Object> row(long id, long version, Map<Long, Long> versions) {
        String name = "customer " + id + " v" + version;
        Integer tier = version % 3 == 0 ? null : (int) (version % 3);
        versions.put(id, version);
        expected.put(id, name + "/" + tier + "/" + version);
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("tier", tier);
        row.put("version", version);
        return row;
    }

    /** A Debezium change event as Kafka Connect's JSON converter writes it, with its schema wrapper or without. */
    private static ProducerRecord<byte[], byte[]> change(String topic, String op, long id, Map<String, Object> before,
                                                         Map<String, Object> after, boolean withSchema) {
        Map<String, Object> payload = new java.util.LinkedHashMap<>();
        payload.put("before", before);
        payload.put("after", after);
        payload.put("source", Map.of("connector", "postgresql", "db", "shop", "table", "customers", "lsn", id));
        payload.put("op", op);
        payload.put("ts_ms", 1_796_292_000_000L + id);
        Object value = withSchema ? Map.of("schema", Map.of("type", "struct", "optional", false,
                "name", "dbserver1.public.customers.Envelope"), "payload", payload) : payload;
        try {
            return new ProducerRecord<>(topic, (int) (id % PARTITIONS), jsonKey(id, withSchema),
                    new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] jsonKey(long id, boolean withSchema) {
        String key = withSchema ? "{\"schema\": {\"type\": \"struct\", \"fields\": [{\"type\": \"int64\", "
                + "\"optional\": false, \"field\": \"id\"}], \"optional\": false, "
                + "\"name\": \"dbserver1.public.customers.Key\"}, \"payload\": {\"id\": " + id + "}}"
                : "{\"id\": " + id + "}";
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** Only the keys whose rows differ, so a failure names them rather than printing thousands of rows. */
    private void assertSameRows(Map<Long, String> actual, String what) {
        Map<Long, String> differences = new TreeMap<>();
        for (Long id : new java.util.TreeSet<>(java.util.stream.Stream.concat(actual.keySet().stream(),
                expected.keySet().stream()).toList())) {
            if (!java.util.Objects.equals(actual.get(id), expected.get(id))) {
                differences.put(id, "table " + actual.get(id) + ", expected " + expected.get(id));
            }
        }
        assertThat(differences).as("%s: keys that differ (of %d expected)", what, expected.size()).isEmpty();
    }
}
