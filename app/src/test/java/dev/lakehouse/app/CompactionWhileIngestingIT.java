package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.ingest.status.BatchOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.compaction.MaintenanceOutcome;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.ingest.RunningPipeline;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The appliance compacting a table on its schedule while it ingests from a real broker. */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class CompactionWhileIngestingIT {

    private static final long RECORDS = 30_000;

    @TempDir
    Path dir;

    @Test
    void scheduledCompactionNeverFailsABatchAndEveryRecordIsInOnce(LocalKafkaBroker kafka,
                                                                    SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 2);
        Path config = dir.resolve("appliance.yaml");
        new ApplianceYaml().pipeline("orders")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                .set("source.group-id", "lakehouse-" + topic)
                .set("registry.url", registry.url())
                .set("table.location", dir.resolve("orders").toUri().toString())
                .set("table.partition-by", List.of("country"))
                .set("table.target-file-size", "1MB")
                .set("trigger.interval", "250ms")
                .set("compaction.schedule", "2s")
                .set("compaction.min-input-files", 3)
                .and().console("port", 0).write(config);
        List<BatchProgress> progress = new CopyOnWriteArrayList<>();
        try (Appliance appliance = Appliance.create(ConfigLoader.load(config));
             SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            RunningPipeline pipeline = appliance.pipelines().get(0);
            pipeline.addProgressListener(progress::add);
            appliance.start();
            while (generator.nextOrderId() < RECORDS) { // about 2,500 orders a second for 12 s
                generator.produce(500);
                TimeUnit.MILLISECONDS.sleep(200);
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() == RECORDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> appliance.maintenance().recentRuns("orders").stream()
                    .filter(r -> r.outcome() == MaintenanceOutcome.COMPACTED).count() >= 2);
            assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
            List<MaintenanceRun> runs = appliance.maintenance().recentRuns("orders");
            assertThat(runs).noneMatch(r -> r.outcome() == MaintenanceOutcome.FAILED);
            long filesRemoved = runs.stream().mapToLong(MaintenanceRun::filesBefore).sum();
            assertThat(filesRemoved).isGreaterThan(10);
        }
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p.outcome()).isEqualTo(BatchOutcome.COMMITTED));

        Map<Long, Integer> counts = new HashMap<>();
        KernelReader.Result rows = KernelReader.read(dir.resolve("orders").toString());
        rows.rows().forEach(r -> counts.merge((Long) r.get("order_id"), 1, Integer::sum));
        assertThat(counts).hasSize((int) RECORDS);
        assertThat(counts.values()).allMatch(c -> c == 1);
    }
}
