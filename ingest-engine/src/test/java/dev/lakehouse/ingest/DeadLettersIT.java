package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.DeadLetterTopic;
import dev.lakehouse.ingest.deadletter.ReplayState;
import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.settings.IncompatibleSchemaPolicy;
import dev.lakehouse.ingest.settings.OffsetGapPolicy;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.PipelineSettingsBuilder;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PipelineState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.CompatibilityLevel;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.SchemaChange;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema evolution, dead letters, replay and offset gaps over a real broker and registry; tables checked with
 * Delta Kernel.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class DeadLettersIT {

    private static final Schema V1 = parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "email", "type": "string"}]}},
              {"name": "amount", "type": "long"}]}""");
    /** Adds an optional field, a nested field and a field with a default. */
    private static final Schema V2 = parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "email", "type": "string"},
                {"name": "phone", "type": ["null", "string"], "default": null}]}},
              {"name": "amount", "type": "long"},
              {"name": "coupon", "type": ["null", "string"], "default": null},
              {"name": "channel", "type": "string", "default": "web"}]}""");
    /** Drops coupon, makes customer optional, writes amount as int (promoted to the table's long). */
    private static final Schema V3 = parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": ["null", {"type": "record", "name": "Customer", "fields": [
                {"name": "email", "type": "string"},
                {"name": "phone", "type": ["null", "string"], "default": null}]}], "default": null},
              {"name": "amount", "type": "int"},
              {"name": "channel", "type": "string", "default": "web"}]}""");
    /** amount becomes a string: a change the table cannot take. */
    private static final Schema BAD = parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "email", "type": "string"}]}},
              {"name": "amount", "type": "string"}]}""");
    /** Registered only after its records were dead-lettered with UNKNOWN_SCHEMA_ID. */
    private static final Schema V4 = parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": ["null", {"type": "record", "name": "Customer", "fields": [
                {"name": "email", "type": "string"},
                {"name": "phone", "type": ["null", "string"], "default": null}]}], "default": null},
              {"name": "amount", "type": "int"},
              {"name": "channel", "type": "string", "default": "web"},
              {"name": "note", "type": ["null", "string"], "default": null}]}""");

    @TempDir
    Path dir;

    private LocalKafkaBroker kafka;
    private SchemaRegistryClient registry;
    private String topic;

    @BeforeEach
    void setUp(LocalKafkaBroker kafka, SchemaRegistryServer registryServer) {
        this.kafka = kafka;
        this.registry = SchemaRegistryClient.connect(RegistryClientConfig.builder(registryServer.url()).build());
        this.topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
    }

    @Test
    void everyRecordIsARowOrADeadLetterWithItsReasonAndReplayIngestsTheFixedOnesOnce() throws Exception {
        String subject = topic + "-value";
        registry.setCompatibility(subject, CompatibilityLevel.NONE);
        int v1 = registry.register(subject, V1);
        int v2 = registry.register(subject, V2);
        int v3 = registry.register(subject, V3);
        int bad = registry.register(topic + "-other-value", BAD);
        int missing = nextSchemaId(); // the id V4 will get when it is registered

        Map<String, Integer> expectedDead = new TreeMap<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long id = 0;
        for (int i = 0; i < 5; i++) {
            records.add(record(v1, V1, order(V1, id++, 1)));
        }
        records.add(dead(expectedDead, "WRONG_MAGIC_BYTE", new byte[] {1, 0, 0, 0, 1, 2}));
        for (int i = 0; i < 5; i++) {
            records.add(record(v2, V2, order(V2, id++, 2)));
        }
        records.add(dead(expectedDead, "TRUNCATED_PAYLOAD", new byte[] {0, 0}));
        records.add(dead(expectedDead, "NULL_VALUE", null));
        for (int i = 0; i < 2; i++) {
            records.add(record(v1, V1, order(V1, id++, 1))); // an old producer, after the change
        }
        // id 1, then an email string of length -1: malformed Avro.
        records.add(dead(expectedDead, "CORRUPT_AVRO", wire(v1, new byte[] {2, 1})));
        List<Long> unknownIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            unknownIds.add(id);
            records.add(dead(expectedDead, "UNKNOWN_SCHEMA_ID", wire(missing, avro(V4, order(V4, id++, 4)))));
        }
        GenericRecord huge = order(V2, 999_999, 2);
        huge.put("coupon", "x".repeat(20_000));
        records.add(dead(expectedDead, "RECORD_TOO_LARGE", wire(v2, avro(V2, huge))));
        for (int i = 0; i < 2; i++) {
            records.add(dead(expectedDead, "INCOMPATIBLE_SCHEMA", wire(bad, avro(BAD, order(BAD, 888_000 + i, 0)))));
        }
        for (int i = 0; i < 4; i++) {
            records.add(record(v3, V3, order(V3, id++, 3)));
        }
        GenericRecord noCustomer = order(V3, 777_000, 3);
        noCustomer.put("customer", null);
        records.add(dead(expectedDead, "NULL_IN_REQUIRED_COLUMN", wire(v3, avro(V3, noCustomer))));
        for (int i = 0; i < 2; i++) {
            records.add(record(v2, V2, order(V2, id++, 2)));
        }
        long goodRows = id - unknownIds.size();
        KafkaTestClients.produceAll(kafka, records);

        String location = dir.resolve("orders").toUri().toString();
        String dlqTopic = topic + "-dead-letters";
        DeadLetterTable dlqTable = new DeadLetterTable(table(DeadLetterTable.defaultLocation(location)), "orders",
                Clock.systemUTC());
        DeadLetterTopic dlqKafka = new DeadLetterTopic(dlqTopic, "orders",
                Map.of("bootstrap.servers", kafka.bootstrapServers()));
        PipelineSettings settings = settings("orders").maxRecordBytes(10_000)
                .requiredColumns(List.of("customer.email")).build();
        try (IngestPipeline pipeline = new IngestPipeline(settings, table(location), new ConfluentAvroDecoder(registry),
                DeadLetterDestination.all(List.of(dlqTable, dlqKafka)))) {
            pipeline.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> nextOffset(location, "orders") == records.size());
            assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
            // The batch's progress is published just after its commit is in the log: wait for it as well.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pipeline.recentProgress().stream()
                    .mapToInt(BatchProgress::deadLetters).sum()).isEqualTo(records.size() - (int) goodRows));
        }

        // Good rows plus dead letters are exactly the records produced, each with the right reason.
        KernelReader.Result rows = KernelReader.read(location);
        assertThat(rows.rows()).hasSize((int) goodRows);
        KernelReader.Result dead = KernelReader.read(DeadLetterTable.defaultLocation(location));
        assertThat(rows.rows().size() + dead.rows().size()).isEqualTo(records.size());
        Map<String, Integer> reasons = new TreeMap<>();
        dead.rows().forEach(r -> reasons.merge((String) r.get("reason"), 1, Integer::sum));
        assertThat(reasons).isEqualTo(expectedDead);
        assertThat(dead.rows()).allSatisfy(r -> {
            assertThat(r.get("source_topic")).isEqualTo(topic);
            assertThat((String) r.get("message")).contains(topic + "-0@" + r.get("source_offset"));
        });
        Map<String, Object> incompatible = dead.rows().stream().filter(r -> r.get("reason").equals("INCOMPATIBLE_SCHEMA"))
                .findFirst().orElseThrow();
        assertThat((String) incompatible.get("message")).contains("'amount'").contains("long").contains("string");
        assertThat(incompatible.get("writer_schema")).isEqualTo("registry id " + bad);
        Map<String, Object> tooLarge = dead.rows().stream().filter(r -> r.get("reason").equals("RECORD_TOO_LARGE"))
                .findFirst().orElseThrow();
        assertThat(((byte[]) tooLarge.get("value")).length).isGreaterThan(20_000);
        assertThat(((byte[]) tooLarge.get("key"))).isEqualTo("bad-RECORD_TOO_LARGE".getBytes(StandardCharsets.UTF_8));

        // The same letters, once each, in the topic, with the source coordinates in headers.
        List<ConsumerRecord<byte[], byte[]>> topicLetters = KafkaTestClients.consume(kafka, dlqTopic,
                expectedDead.values().stream().mapToInt(Integer::intValue).sum(), Duration.ofSeconds(30));
        Map<String, Integer> topicReasons = new TreeMap<>();
        topicLetters.forEach(r -> topicReasons.merge(DeadLetterTopic.header(r, "reason"), 1, Integer::sum));
        assertThat(topicReasons).isEqualTo(expectedDead);
        assertThat(topicLetters.stream().map(r -> DeadLetterTopic.header(r, "source.offset")).distinct()).hasSize(
                topicLetters.size());

        // Old rows read as null in the new columns; V3 rows promoted amount and lack the dropped coupon.
        Map<Long, Map<String, Object>> byId = new HashMap<>();
        rows.rows().forEach(r -> byId.put((Long) r.get("id"), r));
        assertThat(byId.get(0L).get("coupon")).isNull();
        assertThat(byId.get(0L).get("channel")).isNull();
        assertThat(((Map<?, ?>) byId.get(0L).get("customer")).get("phone")).isNull();
        assertThat(byId.get(5L).get("coupon")).isEqualTo("C5");
        assertThat(((Map<?, ?>) byId.get(5L).get("customer")).get("phone")).isEqualTo("+1-5");
        assertThat(byId.get(10L).get("channel")).isNull(); // a V1 record written after the change
        long v3Id = unknownIds.get(unknownIds.size() - 1) + 1;
        assertThat(byId.get(v3Id).get("amount")).isEqualTo(v3Id * 10);
        assertThat(byId.get(v3Id).get("coupon")).isNull();
        assertThat(byId.get(v3Id).get("channel")).isEqualTo("app");

        // The schema history says which version added which columns, from which writer schema.
        List<SchemaChange> history = table(location).schemaHistory();
        assertThat(history).extracting(SchemaChange::operation).containsExactly("CREATE TABLE", "ADD COLUMNS");
        assertThat(history.get(0).writerSchema()).isEqualTo("registry id " + v1);
        assertThat(history.get(1).addedColumns()).containsExactly("customer.phone", "coupon", "channel");
        assertThat(history.get(1).writerSchema()).isEqualTo("registry id " + v2);

        // Register the missing schema, replay: exactly those records come in, once, even if run twice.
        assertThat(registry.register(topic + "-value", V4)).isEqualTo(missing);
        DeadLetterReplay replay = new DeadLetterReplay(settings, table(location), new ConfluentAvroDecoder(registry),
                dlqTable);
        DeadLetterReplay.Report dry = replay.run(Set.of(), true);
        assertThat(dry.replayed()).isEqualTo(3);
        assertThat(KernelReader.read(location).rows()).hasSize((int) goodRows);
        DeadLetterReplay.Report report = replay.run(Set.of(), false);
        assertThat(report.replayed()).isEqualTo(3);
        assertThat(report.stillFailing()).containsEntry("INCOMPATIBLE_SCHEMA", 2).containsEntry("CORRUPT_AVRO", 1)
                .doesNotContainKey("UNKNOWN_SCHEMA_ID");
        assertThat(replay.run(Set.of(), false).replayed()).isZero();

        KernelReader.Result after = KernelReader.read(location);
        assertThat(after.rows()).hasSize((int) goodRows + 3);
        Map<Long, Integer> counts = new HashMap<>();
        after.rows().forEach(r -> counts.merge((Long) r.get("id"), 1, Integer::sum));
        assertThat(counts.values()).allMatch(c -> c == 1);
        assertThat(counts).containsKeys(unknownIds.toArray(new Long[0]));
        assertThat(after.schema().fieldNames()).contains("note");
        assertThat(dlqTable.countsByReason()).doesNotContainKey("UNKNOWN_SCHEMA_ID")
                .containsEntry("INCOMPATIBLE_SCHEMA", 2L);
        assertThat(dlqTable.readAll()).filteredOn(s -> s.letter().reason() == DeadLetterReason.UNKNOWN_SCHEMA_ID)
                .hasSize(3).allSatisfy(s -> {
                    assertThat(s.replayState()).isEqualTo(ReplayState.REPLAYED);
                    assertThat(s.replayTableVersion()).isEqualTo(report.tableVersion());
                });
        TableCommit replayCommit = table(location).history(20).stream()
                .filter(c -> c.parameters().containsKey("deadLettersReplayed")).findFirst().orElseThrow();
        assertThat(replayCommit.parameters()).containsEntry("deadLettersReplayed", "3");
    }

    @Test
    void failPolicyStopsNamingTheFieldAndBothTypes() throws Exception {
        registry.setCompatibility(topic + "-value", CompatibilityLevel.NONE);
        int v1 = registry.register(topic + "-value", V1);
        int bad = registry.register(topic + "-value", BAD);
        KafkaTestClients.produceAll(kafka, List.of(record(v1, V1, order(V1, 1, 1)),
                record(bad, BAD, order(BAD, 2, 0)), record(v1, V1, order(V1, 3, 1))));
        String location = dir.resolve("strict").toUri().toString();
        PipelineSettings settings = settings("strict")
                .onIncompatibleSchema(IncompatibleSchemaPolicy.FAIL).build();
        try (IngestPipeline pipeline = new IngestPipeline(settings, table(location), new ConfluentAvroDecoder(registry),
                new DeadLetterTable(table(DeadLetterTable.defaultLocation(location)), "strict", Clock.systemUTC()))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().state() == PipelineState.FAILED);
            assertThat(pipeline.status().error()).contains(topic + "-0@1").contains("'amount'")
                    .contains("from long to string").contains("on-incompatible-schema");
        }
        assertThat(nextOffset(location, "strict")).isLessThanOrEqualTo(1);
    }

    @Test
    void jsonRecordsThatAreNotJsonOrLackARequiredFieldAreDeadLettered() throws Exception {
        Schema schema = parse("""
                {"type": "record", "name": "Click", "fields": [
                  {"name": "id", "type": "long"}, {"name": "page", "type": "string"},
                  {"name": "ref", "type": ["null", "string"], "default": null}]}""");
        List<String> values = List.of("{\"id\": 1, \"page\": \"/\"}", "{not json", "{\"id\": 2}",
                "{\"id\": 3, \"page\": \"/a\", \"ref\": \"x\"}", "{\"id\": \"four\", \"page\": \"/\"}");
        List<ProducerRecord<byte[], byte[]>> records = values.stream()
                .map(v -> new ProducerRecord<byte[], byte[]>(topic, null, v.getBytes(StandardCharsets.UTF_8))).toList();
        KafkaTestClients.produceAll(kafka, records);
        String location = dir.resolve("clicks").toUri().toString();
        DeadLetterTable dlq = new DeadLetterTable(table(DeadLetterTable.defaultLocation(location)), "clicks",
                Clock.systemUTC());
        try (IngestPipeline pipeline = new IngestPipeline(settings("clicks").build(), table(location),
                new JsonRecordDecoder(schema), dlq)) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> nextOffset(location, "clicks") == 5);
        }
        assertThat(KernelReader.read(location).rows()).extracting(r -> r.get("id")).containsExactlyInAnyOrder(1L, 3L);
        assertThat(dlq.countsByReason()).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "INVALID_JSON", 2L, "NULL_IN_REQUIRED_COLUMN", 1L)));
        assertThat(dlq.readAll()).filteredOn(s -> s.letter().reason() == DeadLetterReason.NULL_IN_REQUIRED_COLUMN)
                .singleElement().satisfies(s -> assertThat(s.letter().message()).contains("field 'page'"));
    }

    @Test
    void pipelinesSharingADeadLetterTopicTakeOnlyTheirOwnLettersForRecordsAlreadyDeadLettered() throws Exception {
        Schema strict = parse("""
                {"type": "record", "name": "Click", "fields": [
                  {"name": "id", "type": "long"}, {"name": "page", "type": "string"}]}""");
        Schema lenient = parse("""
                {"type": "record", "name": "Click", "fields": [
                  {"name": "id", "type": "long"}, {"name": "page", "type": ["null", "string"], "default": null}]}""");
        KafkaTestClients.produceAll(kafka, List.of("{\"id\": 1, \"page\": \"/\"}", "{\"id\": 2}",
                        "{\"id\": 3, \"page\": \"/a\"}").stream()
                .map(v -> new ProducerRecord<byte[], byte[]>(topic, null, v.getBytes(StandardCharsets.UTF_8))).toList());
        String shared = TestNames.unique("shared-dlq");
        Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
        String strictTable = dir.resolve("strict").toUri().toString();
        try (IngestPipeline pipeline = new IngestPipeline(settings("strict").build(), table(strictTable),
                new JsonRecordDecoder(strict), new DeadLetterTopic(shared, "strict", client))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> nextOffset(strictTable, "strict") == 3);
        }
        // The strict pipeline's letter for id 2 is in the shared topic; the lenient one starts after it.
        String lenientTable = dir.resolve("lenient").toUri().toString();
        DeadLetterTopic lenientLetters = new DeadLetterTopic(shared, "lenient", client);
        try (IngestPipeline pipeline = new IngestPipeline(settings("lenient").build(), table(lenientTable),
                new JsonRecordDecoder(lenient), lenientLetters)) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> nextOffset(lenientTable, "lenient") == 3);
        }

        assertThat(KernelReader.read(strictTable).rows()).extracting(r -> r.get("id")).containsExactlyInAnyOrder(1L, 3L);
        assertThat(KernelReader.read(lenientTable).rows()).as("another pipeline's letter is not this one's")
                .extracting(r -> r.get("id")).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(lenientLetters.latest(10)).as("nor shown as this pipeline's").isEmpty();
    }

    @Test
    void aLetterLargerThanTheDeadLetterTopicTakesIsSentCutWithHeadersSayingSoAndIngestionGoesOn() throws Exception {
        Schema schema = parse("""
                {"type": "record", "name": "Click", "fields": [{"name": "id", "type": "long"}]}""");
        String big = TestNames.unique("big");
        kafka.createTopic(big, 1, Map.of("max.message.bytes", Integer.toString(4 << 20)));
        byte[] huge = new byte[2 << 20];
        huge[0] = 1; // neither JSON nor anything else: a bad record of 2 MiB
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(big, null, huge));
        for (int id = 1; id <= 3; id++) {
            records.add(new ProducerRecord<>(big, null, ("{\"id\": " + id + "}").getBytes(StandardCharsets.UTF_8)));
        }
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(
                kafka, Map.of("max.request.size", Integer.toString(4 << 20)))) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get();
            }
        }
        String dlqTopic = TestNames.unique("big-dlq"); // created by the pipeline with the broker's 1 MiB limit
        String location = dir.resolve("clicks").toUri().toString();
        try (IngestPipeline pipeline = new IngestPipeline(PipelineSettings.builder("clicks").topics(List.of(big))
                .bootstrapServers(kafka.bootstrapServers()).groupId(TestNames.unique("group"))
                .triggerInterval(Duration.ofMillis(500)).build(), table(location), new JsonRecordDecoder(schema),
                new DeadLetterTopic(dlqTopic, "clicks", Map.of("bootstrap.servers", kafka.bootstrapServers())))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> table(location).exists()
                    && table(location).txnVersion(new OffsetRange(big, 0, 0, 0).appId("clicks")) == 4);
            assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
        }
        assertThat(KernelReader.read(location).rows()).extracting(r -> r.get("id"))
                .containsExactlyInAnyOrder(1L, 2L, 3L);
        List<ConsumerRecord<byte[], byte[]>> letters = KafkaTestClients.consume(kafka, dlqTopic, 1,
                Duration.ofSeconds(30));
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(DeadLetterTopic.header(letter, "reason")).isEqualTo("INVALID_JSON");
            assertThat(DeadLetterTopic.header(letter, "truncated")).isEqualTo("true");
            assertThat(DeadLetterTopic.header(letter, "original.size")).isEqualTo(Integer.toString(2 << 20));
            assertThat(letter.value().length).isLessThan(1 << 20).isGreaterThan(900_000);
        });
    }

    @Test
    void offsetsDeletedByRetentionStopThePipelineUnlessItOptedIntoSkippingWhichTheHistoryRecords() throws Exception {
        int v1 = registry.register(topic + "-value", V1);
        List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
        for (long i = 0; i < 100; i++) {
            first.add(record(v1, V1, order(V1, i, 1)));
        }
        KafkaTestClients.produceAll(kafka, first);
        String location = dir.resolve("gaps").toUri().toString();
        try (IngestPipeline pipeline = new IngestPipeline(settings("gaps").build(), table(location),
                new ConfluentAvroDecoder(registry))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> nextOffset(location, "gaps") == 100);
        }
        List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>();
        for (long i = 100; i < 200; i++) {
            second.add(record(v1, V1, order(V1, i, 1)));
        }
        KafkaTestClients.produceAll(kafka, second);
        // Retention deletes offsets 100..149 before the pipeline runs again.
        try (var admin = kafka.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(150))).all().get();
        }

        try (IngestPipeline strict = new IngestPipeline(settings("gaps").build(), table(location),
                new ConfluentAvroDecoder(registry))) {
            strict.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> strict.status().state() == PipelineState.FAILED);
            assertThat(strict.status().error()).contains(topic + "-0").contains("offset 100").contains("retention");
        }
        assertThat(nextOffset(location, "gaps")).isEqualTo(100);

        PipelineSettings skipping = settings("gaps").onOffsetGap(OffsetGapPolicy.SKIP).build();
        try (IngestPipeline lenient = new IngestPipeline(skipping, table(location), new ConfluentAvroDecoder(registry))) {
            lenient.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> nextOffset(location, "gaps") == 200);
            assertThat(lenient.status().state()).isEqualTo(PipelineState.RUNNING);
        }
        assertThat(KernelReader.read(location).rows()).hasSize(150);
        TableCommit skip = table(location).history(20).stream()
                .filter(c -> c.parameters().containsKey("skippedOffsets")).findFirst().orElseThrow();
        assertThat(skip.parameters().get("skippedOffsets")).isEqualTo(topic + "-0 offsets 100 to 149");
    }

    @Test
    void aCrashBetweenTheDeadLettersAndTheBatchCommitKeepsEachRecordOnceAsRowOrLetter() throws Exception {
        String subject = topic + "-value";
        int v1 = registry.register(subject, V1);
        int missing = nextSchemaId();
        // A schema no other test registers, so it gets the id the records carry.
        Schema v4 = parse(V4.toString().replace("{\"name\":\"note\"", "{\"name\":\"note" + missing + "\""));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long i = 0; i < 10; i++) {
            records.add(i % 3 == 0 ? record(missing, v4, order(v4, i, 4)) : record(v1, V1, order(V1, i, 1)));
        }
        KafkaTestClients.produceAll(kafka, records);
        String location = dir.resolve("crash").toUri().toString();
        DeadLetterTable dlq = new DeadLetterTable(table(DeadLetterTable.defaultLocation(location)), "crash",
                Clock.systemUTC());
        // The first batch commit "crashes" (a non-transient error stops the run) after its dead letters are stored.
        LakeTable crashing = (LakeTable) java.lang.reflect.Proxy.newProxyInstance(LakeTable.class.getClassLoader(),
                new Class<?>[] {LakeTable.class}, (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        throw new IllegalStateException("simulated crash before the batch commit");
                    }
                    try {
                        return method.invoke(table(location), args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (IngestPipeline pipeline = new IngestPipeline(settings("crash").build(), crashing,
                new ConfluentAvroDecoder(registry), dlq)) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().state() == PipelineState.FAILED);
        }
        assertThat(dlq.readAll()).hasSize(4);
        assertThat(nextOffset(location, "crash")).isLessThan(0);

        // The schema is registered before the restart: those records would decode now, but they are dead letters
        // already, so they stay out of the table until a replay.
        assertThat(registry.register(subject + "-v4", v4)).isEqualTo(missing);
        try (IngestPipeline pipeline = new IngestPipeline(settings("crash").build(), table(location),
                new ConfluentAvroDecoder(registry), dlq)) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> nextOffset(location, "crash") == 10);
        }
        assertThat(dlq.readAll()).hasSize(4);
        assertThat(KernelReader.read(location).rows()).extracting(r -> r.get("id"))
                .containsExactlyInAnyOrder(1L, 2L, 4L, 5L, 7L, 8L);
        new DeadLetterReplay(settings("crash").build(), table(location), new ConfluentAvroDecoder(registry), dlq)
                .run(Set.of(), false);
        assertThat(KernelReader.read(location).rows()).extracting(r -> r.get("id"))
                .containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    // ---- helpers ----

    /** The id the registry gives the next new schema (it numbers them in order; other tests share it). */
    private int nextSchemaId() {
        Schema probe = parse("{\"type\": \"record\", \"name\": \"Probe" + System.nanoTime()
                + "\", \"fields\": []}");
        return registry.register(TestNames.unique("probe") + "-value", probe) + 1;
    }

    private PipelineSettingsBuilder settings(String name) {
        return PipelineSettings.builder(name).topics(List.of(topic)).bootstrapServers(kafka.bootstrapServers())
                .groupId(TestNames.unique("group")).triggerInterval(Duration.ofMillis(500));
    }

    private static LakeTable table(String location) {
        return LakeTable.open(TableOptions.builder(location).build());
    }

    private long nextOffset(String location, String pipeline) {
        LakeTable table = table(location);
        return table.exists() ? table.txnVersion(new OffsetRange(topic, 0, 0, 0).appId(pipeline)) : -1;
    }

    private ProducerRecord<byte[], byte[]> record(int schemaId, Schema schema, GenericRecord order) {
        return new ProducerRecord<>(topic, 0, null, key(order), wire(schemaId, avro(schema, order)),
                new RecordHeaders().add("source", "test".getBytes(StandardCharsets.UTF_8)));
    }

    private ProducerRecord<byte[], byte[]> dead(Map<String, Integer> expected, String reason, byte[] value) {
        expected.merge(reason, 1, Integer::sum);
        return new ProducerRecord<>(topic, 0, null, ("bad-" + reason).getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] key(GenericRecord order) {
        return order.get("id").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An order of {@code schema}: amount is id*10, the email and phone name the id, V3 sends channel "app". */
    private static GenericRecord order(Schema schema, long id, int version) {
        GenericRecord order = new GenericData.Record(schema);
        order.put("id", id);
        Schema customerSchema = schema.getField("customer").schema();
        if (customerSchema.isUnion()) {
            customerSchema = customerSchema.getTypes().get(1);
        }
        GenericRecord customer = new GenericData.Record(customerSchema);
        customer.put("email", "c" + id + "@example.com");
        if (customerSchema.getField("phone") != null) {
            customer.put("phone", "+1-" + id);
        }
        order.put("customer", customer);
        Schema.Type amountType = schema.getField("amount").schema().getType();
        order.put("amount", amountType == Schema.Type.INT ? (Object) (int) (id * 10)
                : amountType == Schema.Type.STRING ? (Object) ("$" + id) : (Object) (id * 10));
        if (schema.getField("coupon") != null) {
            order.put("coupon", "C" + id);
        }
        if (schema.getField("channel") != null) {
            order.put("channel", version >= 3 ? "app" : "web");
        }
        return order;
    }

    private static byte[] avro(Schema schema, GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] wire(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
