package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.PipelineSettingsBuilder;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.PipelineState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.ForwardingLakeTable;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableChange;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One consumer for the topics of many tables, over a real broker and registry, the tables read back by Delta Kernel:
 * each table gets its topic's records exactly once; a table whose storage refuses commits retries on its own while
 * the others commit; a table fed a record it cannot take fails alone; a table added while running is read, a retired
 * one let go; and all of it on one poll thread.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class TopicFanInIT {

    @TempDir
    Path dir;

    private LocalKafkaBroker kafka;
    private SchemaRegistryClient registry;

    @BeforeEach
    void setUp(LocalKafkaBroker kafka, SchemaRegistryServer registryServer) {
        this.kafka = kafka;
        this.registry = SchemaRegistryClient.connect(RegistryClientConfig.builder(registryServer.url()).build());
    }

    @Test
    void oneConsumerFeedsEveryTableExactlyOnceAndAFailingTableStaysInItsTable() throws Exception {
        String a = TestNames.unique("fan-a");
        String b = TestNames.unique("fan-b");
        String c = TestNames.unique("fan-c");
        String d = TestNames.unique("fan-d");
        kafka.createTopic(a, 2);
        for (String topic : List.of(b, c, d)) {
            kafka.createTopic(topic, 1);
        }
        TestOrders.produce(kafka, registry, a, TestOrders.V1, 0, 5_000);
        TestOrders.produce(kafka, registry, b, TestOrders.V1, 0, 5_000);
        TestOrders.produce(kafka, registry, c, TestOrders.V1, 0, 100);
        KafkaTestClients.produceAll(kafka, List.of(new ProducerRecord<>(c, null, new byte[] {42, 1, 2})));
        TestOrders.produce(kafka, registry, c, TestOrders.V1, 100, 200);
        TestOrders.produce(kafka, registry, d, TestOrders.V1, 0, 1_000);

        String group = TestNames.unique("fan-group");
        TopicFanIn fanIn = new TopicFanIn(settings("fan", group, List.of(a, b, c)).build());
        AtomicBoolean refusing = new AtomicBoolean(true);
        try {
            FanInTable tableA = add(fanIn, group, a, table(a));
            FanInTable tableB = add(fanIn, group, b, new RefusingCommits(table(b), refusing));
            FanInTable tableC = add(fanIn, group, c, table(c));
            List.of(tableA, tableB, tableC).forEach(FanInTable::start);
            fanIn.start();

            // b's storage refuses every commit: b retries on its own while a commits all it has, and c fails alone.
            await().atMost(Duration.ofMinutes(1)).until(() -> tableA.status().recordsCommitted() == 5_000
                    && tableB.status().state() == PipelineState.RETRYING
                    && tableC.status().state() == PipelineState.FAILED);
            assertThat(tableB.status().error()).contains("storage refused the commit");
            assertThat(tableC.status().error()).containsIgnoringCase("magic byte");
            assertThat(tableB.status().recordsCommitted()).isZero();
            assertThat(topicIdRequests).as("the first assignment's topic ids in one request, not one per table")
                    .contains(java.util.Set.of(a, b, c)).doesNotContain(java.util.Set.of(a), java.util.Set.of(c));
            assertThat(tableC.awaitTermination(Duration.ZERO)).as("a failed table is done").isTrue();

            refusing.set(false); // the storage is back: b starts again from its table's offsets
            await().atMost(Duration.ofMinutes(2)).until(() -> tableB.status().recordsCommitted() == 5_000);
            assertThat(tableB.status().state()).isEqualTo(PipelineState.RUNNING);

            // A table added while running is read; a retired one is let go and the others keep going.
            FanInTable tableD = add(fanIn, group, d, table(d));
            tableD.start();
            await().atMost(Duration.ofMinutes(1)).until(() -> tableD.status().recordsCommitted() == 1_000);
            tableA.retire();
            assertThat(tableA.status().state()).isEqualTo(PipelineState.STOPPED);
            TestOrders.produce(kafka, registry, a, TestOrders.V1, 5_000, 5_100);
            TestOrders.produce(kafka, registry, d, TestOrders.V1, 1_000, 1_500);
            await().atMost(Duration.ofMinutes(1)).until(() -> tableD.status().recordsCommitted() == 1_500);
            assertThat(tableD.inGroup()).isTrue();

            long pollThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("lakehouse-") && t.getName().endsWith("-poll")).count();
            assertThat(pollThreads).as("one poll thread for every table").isEqualTo(1);
        } finally {
            fanIn.close();
        }
        assertThat(TestOrders.idCounts(location(a))).as("a, retired at 5,000").hasSize(5_000)
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        assertThat(TestOrders.idCounts(location(b))).hasSize(5_000)
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        assertThat(TestOrders.idCounts(location(d))).hasSize(1_500)
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
    }

    private FanInTable add(TopicFanIn fanIn, String group, String topic, LakeTable table) {
        return fanIn.addTable(settings("fan." + topic, group, List.of(topic)).build(), table,
                new ConfluentAvroDecoder(registry), dev.lakehouse.ingest.deadletter.DeadLetterDestination.none());
    }

    private PipelineSettingsBuilder settings(String name, String group, List<String> topics) {
        return PipelineSettings.builder(name).topics(topics).bootstrapServers(kafka.bootstrapServers())
                .groupId(group).triggerInterval(Duration.ofMillis(500)).maxRecords(2_000).topicIds(topicIds);
    }

    /** The cluster's topic ids, each request recorded (the fan-in's and every table's). */
    private final List<java.util.Set<String>> topicIdRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final TopicIdLookup topicIds = topics -> {
        topicIdRequests.add(java.util.Set.copyOf(topics));
        return TopicIdLookup.kafka(java.util.Map.of("bootstrap.servers", kafka.bootstrapServers())).topicIds(topics);
    };

    private String location(String topic) {
        return dir.resolve(topic).toUri().toString();
    }

    private LakeTable table(String topic) {
        return LakeTable.open(TableOptions.builder(location(topic)).build());
    }

    /** A table whose storage refuses batch commits while {@code refusing} holds, as an unreachable store does. */
    private static final class RefusingCommits extends ForwardingLakeTable {
        private final AtomicBoolean refusing;

        RefusingCommits(LakeTable table, AtomicBoolean refusing) {
            super(table);
            this.refusing = refusing;
        }

        @Override
        public <R> R apply(TableChange<R> change) {
            if (change instanceof BatchCommit && refusing.get()) {
                throw new UncheckedIOException(new IOException("storage refused the commit"));
            }
            return super.apply(change);
        }
    }
}
