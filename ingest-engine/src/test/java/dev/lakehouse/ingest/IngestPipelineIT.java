package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.DeadLetterTopic;
import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.resources.ProcessByteBudget;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.PipelineSettingsBuilder;
import dev.lakehouse.ingest.settings.StartingPosition;
import dev.lakehouse.ingest.settings.TopicRecreatedPolicy;
import dev.lakehouse.ingest.status.BatchOutcome;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PipelineState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline over a real broker and registry, checked with Delta Kernel. */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class IngestPipelineIT {

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
        kafka.createTopic(topic, 3);
    }

    @Test
    void ingestsEveryRecordOnceAndResumesFromTheTableOffsetsAfterARestart() throws Exception {
        TestOrders.produce(kafka, registry, topic, TestOrders.V1, 0, 30_000);
        String location = dir.resolve("orders").toUri().toString();

        try (IngestPipeline first = pipeline("orders", location, 7_000)) {
            first.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> first.status().recordsCommitted() == 30_000);
            assertThat(first.recentProgress()).allSatisfy(p -> assertThat(p.numInputRows()).isLessThanOrEqualTo(7_000));
            BatchProgress last = first.recentProgress().get(first.recentProgress().size() - 1);
            assertThat(last.sources()).hasSize(3);
            assertThat(last.outcome()).isEqualTo(BatchOutcome.COMMITTED);
            assertThat(last.toJson()).contains("\"batchId\":").contains("\"processedRowsPerSecond\":");
            await().atMost(Duration.ofSeconds(10)).until(() -> first.status().totalLag() == 0
                    && first.status().partitions().size() == 3
                    && first.status().partitions().stream().allMatch(p -> p.logEndOffset() >= 0));
        }
        TestOrders.produce(kafka, registry, topic, TestOrders.V1, 30_000, 40_000);
        try (IngestPipeline second = pipeline("orders", location, 7_000)) {
            second.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> second.status().recordsCommitted() == 10_000);
        }

        Map<Long, Integer> counts = TestOrders.idCounts(location);
        assertThat(counts).hasSize(40_000);
        assertThat(counts.values()).allMatch(c -> c == 1);
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        long sum = 0;
        for (int p = 0; p < 3; p++) {
            sum += table.txnVersion(new OffsetRange(topic, p, 0, 0).appId("orders"));
        }
        assertThat(sum).as("next offsets in the table add up to all records").isEqualTo(40_000);
        List<TableCommit> history = table.history(100);
        assertThat(history).anySatisfy(c -> assertThat(c.operation()).isEqualTo("STREAMING UPDATE"));
    }

    @Test
    void thePipelinesOfAProcessShareOneByteBudget() throws Exception {
        // Three pipelines whose own (default) budgets are each far above the process's: together they stay within it.
        ProcessByteBudget process = new ProcessByteBudget(32 * 1024);
        catchUpThreeTables("shared-", i -> settings("orders" + i, 5_000).processByteBudget(process));
        System.out.printf("shared byte budget: limit %,d bytes, peak held %,d, %,d waits%n", process.limit(),
                process.peakHeld(), process.waits());
        assertThat(process.waits()).as("the shared budget held pipelines back").isPositive();
        assertThat(process.held()).as("everything given back").isZero();
        assertThat(process.peakHeld()).as("the limit, or one larger chunk alone")
                .isLessThanOrEqualTo(Math.max(process.limit(), process.largestTake()));
    }

    @Test
    void whenTheOpenFilesOfAllTablesPassTheirBudgetTheLargestBatchesCommitEarly() throws Exception {
        // Three tables catch up 20,000 orders each with a 20 s trigger and no record limit: alone, each would commit
        // one batch once caught up (or when the trigger falls due), its files open until then. The process lets open files hold 64 KiB in all (and
        // records in flight as much, so reading waits for the writers as it does when memory is short).
        ProcessByteBudget process = new ProcessByteBudget(64 << 10, 64 << 10);
        catchUpThreeTables("early-", i -> settings("early" + i, 1_000_000).triggerInterval(Duration.ofSeconds(20))
                .processByteBudget(process));
        List<Long> committedBytes = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String location = dir.resolve("early-" + i).toUri().toString();
            assertThat(dev.lakehouse.table.OffsetAudit.audit(table(location), 0).ok()).isTrue();
            table(location).history(1_000).stream().filter(c -> c.metrics().containsKey("numOutputBytes"))
                    .forEach(c -> committedBytes.add(Long.parseLong(c.metrics().get("numOutputBytes"))));
        }
        System.out.printf("open-file budget: %,d bytes; %d commits of %,d to %,d bytes%n", process.openFileLimit(),
                committedBytes.size(), committedBytes.stream().mapToLong(Long::longValue).min().orElse(0),
                committedBytes.stream().mapToLong(Long::longValue).max().orElse(0));
        assertThat(committedBytes).as("batches committed early, not one per table").hasSizeGreaterThan(6);
        assertThat(process.openFileBytes()).as("every table's files closed").isZero();
    }

    @Test
    void aRestartWithTheSameInstanceIdContinuesItsBatchIdsAndIngestsTheBacklogWithoutNewRecords() throws Exception {
        String location = dir.resolve("fixed-id").toUri().toString();
        String group = TestNames.unique("group");
        // One batch before the first stop, several before the second: both broke restarts with a fixed id.
        long[] produced = {1_000, 12_000, 20_000};
        long before = 0;
        for (int run = 0; run < produced.length; run++) {
            TestOrders.produce(kafka, registry, topic, TestOrders.V1, before, produced[run]);
            long expected = produced[run] - before;
            try (IngestPipeline pipeline = new IngestPipeline(settings("orders", 3_000).instanceId("appliance-1")
                    .groupId(group).build(), table(location), new ConfluentAvroDecoder(registry))) {
                pipeline.start();
                // Nothing more is produced during the run: the records already there must not wait for others.
                await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() == expected
                        || pipeline.status().state() == PipelineState.FAILED);
                assertThat(pipeline.status().state()).as("run %d: %s", run, pipeline.status().error())
                        .isEqualTo(PipelineState.RUNNING);
                assertThat(pipeline.recentProgress()).allSatisfy(p -> assertThat(p.outcome()).isEqualTo(BatchOutcome.COMMITTED));
            }
            before = produced[run];
        }
        Map<Long, Integer> counts = TestOrders.idCounts(location);
        assertThat(counts).hasSize(20_000);
        assertThat(counts.values()).allMatch(c -> c == 1);
        LakeTable table = table(location);
        List<Long> batchIds = table.history(1_000).stream()
                .filter(c -> "orders@appliance-1".equals(c.parameters().get("queryId")))
                .map(c -> Long.parseLong(c.parameters().get("epochId"))).sorted().toList();
        assertThat(batchIds).as("batch ids continue across runs, each once").doesNotHaveDuplicates()
                .startsWith(0L).hasSizeGreaterThanOrEqualTo(3);
        assertThat(table.txnVersion("orders@appliance-1")).isEqualTo(batchIds.get(batchIds.size() - 1));
    }

    @Test
    void kafkaMetadataPutsEachRowsTopicPartitionOffsetTimestampAndKeyInTheKafkaColumn() throws Exception {
        long before = System.currentTimeMillis();
        TestOrders.produce(kafka, registry, topic, TestOrders.V1, 0, 2_000);
        long after = System.currentTimeMillis();
        String location = dir.resolve("with-metadata").toUri().toString();

        try (IngestPipeline pipeline = new IngestPipeline(settings("orders", 10_000).kafkaMetadata(true).build(),
                table(location), new ConfluentAvroDecoder(registry))) {
            pipeline.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() == 2_000);
        }

        KernelReader.Result read = KernelReader.read(location);
        assertThat(read.schema().get("_kafka").getDataType().toString())
                .contains("topic").contains("partition").contains("offset").contains("timestamp").contains("key");
        Map<String, Long> positions = new java.util.HashMap<>();
        for (Map<String, Object> row : read.rows()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) row.get("_kafka");
            assertThat(metadata.get("topic")).isEqualTo(topic);
            assertThat((Integer) metadata.get("partition")).isBetween(0, 2);
            assertThat(new String((byte[]) metadata.get("key"), StandardCharsets.UTF_8))
                    .as("the key is the order id").isEqualTo(row.get("order_id").toString());
            long timestampMicros = (Long) metadata.get("timestamp");
            assertThat(timestampMicros / 1000).isBetween(before - 1000, after + 1000);
            Long previous = positions.put(metadata.get("partition") + "@" + metadata.get("offset"),
                    (Long) row.get("order_id"));
            assertThat(previous).as("one row per partition and offset").isNull();
        }
        assertThat(positions).hasSize(2_000);
        long highest = read.rows().stream()
                .map(r -> (Map<?, ?>) r.get("_kafka")).mapToLong(m -> (Long) m.get("offset")).max().orElseThrow();
        assertThat(highest).isLessThan(2_000);
    }

    @Test
    void addsColumnsForANewWriterSchemaAndKeepsOldFilesReadable() throws Exception {
        TestOrders.produce(kafka, registry, topic, TestOrders.V1, 0, 3_000);
        TestOrders.produce(kafka, registry, topic, TestOrders.V2, 3_000, 6_000);
        String location = dir.resolve("evolving").toUri().toString();
        try (IngestPipeline pipeline = pipeline("evolving", location, 100_000)) {
            pipeline.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() == 6_000);
        }
        KernelReader.Result result = KernelReader.read(location);
        assertThat(result.schema().fieldNames()).contains("coupon");
        Map<Long, Object> coupons = result.rows().stream().collect(Collectors.toMap(
                r -> (Long) r.get("order_id"), r -> String.valueOf(r.get("coupon"))));
        assertThat(coupons).hasSize(6_000);
        assertThat(coupons.get(10L)).isEqualTo("null");
        assertThat(coupons.get(4_000L)).isEqualTo("C4000");
    }

    @Test
    void latestStartsAfterWhatIsAlreadyInTheTopic() throws Exception {
        TestOrders.produce(kafka, registry, topic, TestOrders.V1, 0, 1_000);
        String location = dir.resolve("latest").toUri().toString();
        PipelineSettings settings = settings("latest", 10_000).startingPosition(StartingPosition.latest()).build();
        try (IngestPipeline pipeline = new IngestPipeline(settings, table(location), new ConfluentAvroDecoder(registry))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().partitions().size() == 3);
            TestOrders.produce(kafka, registry, topic, TestOrders.V1, 1_000, 1_500);
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().recordsCommitted() == 500);
        }
        assertThat(TestOrders.idCounts(location).keySet()).allMatch(id -> id >= 1_000).hasSize(500);
    }

    @Test
    void jsonRecordsAreDecodedWithTheConfiguredSchema() throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String json = "{\"order_id\":" + i + ",\"customer\":\"c" + i + "\",\"amount\":" + (i * 1.5)
                    + ",\"created_at\":\"2026-01-01T00:00:0" + (i % 10) + "Z\",\"extra\":true}";
            records.add(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
        }
        KafkaTestClients.produceAll(kafka, records);
        String location = dir.resolve("json").toUri().toString();
        try (IngestPipeline pipeline = new IngestPipeline(settings("json", 10_000).build(), table(location),
                new JsonRecordDecoder(TestOrders.V1))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().recordsCommitted() == 500);
        }
        List<Map<String, Object>> rows = KernelReader.read(location).rows();
        assertThat(rows).hasSize(500);
        Map<String, Object> row7 = rows.stream().filter(r -> r.get("order_id").equals(7L)).findFirst().orElseThrow();
        assertThat(row7).containsEntry("customer", "c7").containsEntry("amount", 10.5)
                .containsEntry("created_at", 1_767_225_607_000_000L);
    }

    @Test
    void withAnEventTimeColumnFreshnessAndTheObjectiveJudgeTheEventNotItsArrivalInKafka() throws Exception {
        // Sent now, but each event happened an hour ago (delayed before it reached Kafka).
        java.time.Instant happened = java.time.Instant.now().minus(Duration.ofHours(1));
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String json = "{\"order_id\":" + i + ",\"customer\":\"c\",\"amount\":1.5,\"created_at\":\""
                    + happened.plusMillis(i) + "\"}";
            records.add(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
        }
        KafkaTestClients.produceAll(kafka, records);
        dev.lakehouse.ingest.status.FreshnessObjective objective = dev.lakehouse.ingest.status.FreshnessObjective
                .parse("95% within 1m", Duration.ofHours(2));
        Map<String, dev.lakehouse.ingest.status.PipelineStatus> statuses = new java.util.TreeMap<>();
        for (String eventTime : new String[] {"created_at", null}) {
            String name = eventTime == null ? "by_kafka_time" : "by_event_time";
            try (IngestPipeline pipeline = new IngestPipeline(settings(name, 10_000).freshnessObjective(objective)
                    .freshnessEventTime(eventTime).build(), table(dir.resolve(name).toUri().toString()),
                    new JsonRecordDecoder(TestOrders.V1))) {
                pipeline.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().recordsCommitted() == 200);
                statuses.put(name, pipeline.status());
            }
        }
        dev.lakehouse.ingest.status.PipelineStatus byEvent = statuses.get("by_event_time");
        dev.lakehouse.ingest.status.PipelineStatus byKafka = statuses.get("by_kafka_time");
        assertThat(byEvent.newestCommittedRecord()).isEqualTo(happened.plusMillis(199).truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS));
        assertThat(byEvent.freshnessObjective().records()).isEqualTo(200);
        assertThat(byEvent.freshnessObjective().ratio()).as("every event committed an hour late").isZero();
        assertThat(byEvent.freshnessObjective().met()).isFalse();
        assertThat(byKafka.freshnessObjective().ratio()).as("each record committed within a minute of its send")
                .isEqualTo(1.0);
        assertThat(byKafka.newestCommittedRecord()).isAfter(happened.plus(Duration.ofMinutes(59)));
    }

    @Test
    void anUndecodableRecordStopsThePipelineWithItsPositionAndReason() throws Exception {
        TestOrders.produce(kafka, registry, topic, TestOrders.V1, 0, 100);
        KafkaTestClients.produceAll(kafka, List.of(new ProducerRecord<>(topic, 1, null,
                "not avro".getBytes(StandardCharsets.UTF_8))));
        String location = dir.resolve("bad").toUri().toString();
        try (IngestPipeline pipeline = pipeline("bad", location, 10_000)) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().state() == PipelineState.FAILED);
            assertThat(pipeline.status().error()).contains(topic + "-1").contains("magic byte");
        }
    }

    @Test
    void anIdleTransactionalPartitionWhoseLastOffsetIsACommitMarkerHasNoLag() throws Exception {
        String transactional = TestNames.unique("tx-clicks");
        kafka.createTopic(transactional, 1);
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("transactional.id", TestNames.unique("tx"));
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                             new org.apache.kafka.common.serialization.ByteArraySerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int id = 0; id < 3; id++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(transactional, null,
                        ("{\"id\": " + id + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            producer.commitTransaction(); // offsets 0-2 are records, offset 3 the commit marker
        }
        org.apache.avro.Schema schema = org.apache.avro.SchemaBuilder.record("Click").fields()
                .requiredLong("id").endRecord();
        String location = dir.resolve("tx").toUri().toString();
        try (IngestPipeline pipeline = new IngestPipeline(PipelineSettings.builder("clicks")
                .topics(List.of(transactional)).bootstrapServers(kafka.bootstrapServers())
                .groupId(TestNames.unique("group")).triggerInterval(Duration.ofMillis(300)).build(), table(location),
                new JsonRecordDecoder(schema))) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.status().recordsCommitted() == 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.status().partitions().size() == 1
                    && pipeline.status().partitions().get(0).logEndOffset() == 4);
            assertThat(pipeline.status().partitions().get(0).lag()).as("the marker is no record to ingest").isZero();
            assertThat(pipeline.status().totalLag()).isZero();
        }
    }

    @Test
    void anAssignmentOf300PartitionsReadsTheTableAndTheDeadLetterTopicOnce() throws Exception {
        String wide = TestNames.unique("wide");
        kafka.createTopic(wide, 300);
        TestOrders.produce(kafka, registry, wide, TestOrders.V1, 0, 3_000);
        String location = dir.resolve("wide").toUri().toString();
        String deadLetterTopic = TestNames.unique("wide-dlq");
        String group = TestNames.unique("group");
        for (int run = 0; run < 2; run++) { // the second run assigns 300 partitions the table has offsets for
            long started = System.nanoTime();
            try (IngestPipeline pipeline = new IngestPipeline(PipelineSettings.builder("wide").topics(List.of(wide))
                    .bootstrapServers(kafka.bootstrapServers()).groupId(group).triggerInterval(Duration.ofMillis(500))
                    .build(), table(location), new ConfluentAvroDecoder(registry),
                    new DeadLetterTopic(deadLetterTopic, "wide", Map.of("bootstrap.servers", kafka.bootstrapServers())))) {
                pipeline.start();
                await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.status().partitions().size() == 300
                        && pipeline.status().partitions().stream().allMatch(p -> p.tableNextOffset() >= 0));
                System.out.printf("run %d: 300 partitions assigned and positioned %d ms after the start%n", run,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().totalLag() == 0);
            }
        }
        assertThat(TestOrders.idCounts(location)).hasSize(3_000).allSatisfy((id, count) -> assertThat(count).isOne());
    }

    @Test
    void aTopicDeletedAndCreatedAgainStopsThePipelineNamingItUnlessStartingOverWasChosen() throws Exception {
        String recreated = TestNames.unique("recreated");
        kafka.createTopic(recreated, 1);
        TestOrders.produce(kafka, registry, recreated, TestOrders.V1, 0, 3);
        // Offset 3 of the old topic is a dead letter; offset 3 of the new one will be a good record.
        KafkaTestClients.produceAll(kafka, List.of(new ProducerRecord<>(recreated, null,
                "not avro".getBytes(StandardCharsets.UTF_8))));
        String location = dir.resolve("recreated").toUri().toString();
        String group = TestNames.unique("group");
        PipelineSettingsBuilder settings = PipelineSettings.builder("orders").topics(List.of(recreated))
                .bootstrapServers(kafka.bootstrapServers()).groupId(group).triggerInterval(Duration.ofMillis(300));
        java.util.function.Supplier<DeadLetterTable> letters = () -> new DeadLetterTable(
                table(DeadLetterTable.defaultLocation(location)), "orders", java.time.Clock.systemUTC());
        try (IngestPipeline first = new IngestPipeline(settings.build(), table(location),
                new ConfluentAvroDecoder(registry), letters.get())) {
            first.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.status().recordsCommitted() == 4);
        }
        assertThat(letters.get().readAll()).hasSize(1);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.deleteTopics(List.of(recreated)).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(recreated));
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            kafka.createTopic(recreated, 1);
            return true;
        });
        TestOrders.produce(kafka, registry, recreated, TestOrders.V1, 3, 8); // offsets 0-4 of the new topic

        try (IngestPipeline refused = new IngestPipeline(settings.build(), table(location),
                new ConfluentAvroDecoder(registry), letters.get())) {
            refused.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> refused.status().state() == PipelineState.FAILED);
            assertThat(refused.status().error()).contains(recreated).contains("deleted and created again")
                    .contains("on-topic-recreated: start-over");
        }
        assertThat(TestOrders.idCounts(location)).as("nothing of the new topic skipped or read").hasSize(3);

        try (IngestPipeline startOver = new IngestPipeline(settings
                .onTopicRecreated(TopicRecreatedPolicy.START_OVER).build(), table(location),
                new ConfluentAvroDecoder(registry), letters.get())) {
            startOver.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> startOver.status().recordsCommitted() == 5);
        }
        // The old topic's letter at offset 3 does not make the new topic's offset 3 a letter too.
        Map<Long, Integer> counts = TestOrders.idCounts(location);
        assertThat(counts).hasSize(8);
        assertThat(counts.values()).allMatch(c -> c == 1);
    }

    private IngestPipeline pipeline(String name, String location, long maxRecords) {
        return new IngestPipeline(settings(name, maxRecords).build(), table(location), new ConfluentAvroDecoder(registry));
    }

    /**
     * Three pipelines of one process, each catching up 20,000 orders of a topic of its own into the table
     * {@code <prefix><i>}; each table then holds every order once.
     */
    private void catchUpThreeTables(String prefix, java.util.function.IntFunction<PipelineSettingsBuilder> settings)
            throws Exception {
        List<String> topics = List.of(topic, TestNames.unique("orders"), TestNames.unique("orders"));
        for (String t : topics.subList(1, 3)) {
            kafka.createTopic(t, 3);
        }
        for (String t : topics) {
            TestOrders.produce(kafka, registry, t, TestOrders.V1, 0, 20_000);
        }
        List<IngestPipeline> pipelines = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                IngestPipeline pipeline = new IngestPipeline(settings.apply(i).topics(List.of(topics.get(i))).build(),
                        table(dir.resolve(prefix + i).toUri().toString()), new ConfluentAvroDecoder(registry));
                pipelines.add(pipeline);
                pipeline.start();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> pipelines.stream()
                    .allMatch(p -> p.status().recordsCommitted() == 20_000));
        } finally {
            pipelines.forEach(IngestPipeline::close);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(TestOrders.idCounts(dir.resolve(prefix + i).toUri().toString())).hasSize(20_000)
                    .allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        }
    }

    private PipelineSettingsBuilder settings(String name, long maxRecords) {
        return PipelineSettings.builder(name).topics(List.of(topic)).bootstrapServers(kafka.bootstrapServers())
                .groupId(TestNames.unique("group")).triggerInterval(Duration.ofMillis(500)).maxRecords(maxRecords);
    }

    private static LakeTable table(String location) {
        return LakeTable.open(TableOptions.builder(location).build());
    }
}
