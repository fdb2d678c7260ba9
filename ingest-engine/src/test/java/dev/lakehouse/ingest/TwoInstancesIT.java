package dev.lakehouse.ingest;

import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.PipelineState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances in one consumer group write one table; one stops mid-way and the other takes its partitions over
 * from the table's offsets. Every record must be in the table exactly once.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class TwoInstancesIT {

    private static final long RECORDS = 60_000;

    @TempDir
    Path dir;

    @Test
    void twoInstancesShareThePartitionsAndOneStoppingLosesAndDuplicatesNothing(LocalKafkaBroker kafka,
                                                                                SchemaRegistryServer registryServer)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 4);
        SchemaRegistryClient registry = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registryServer.url()).build());
        String location = dir.resolve("shared").toUri().toString();
        String group = TestNames.unique("group");

        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                for (long from = 0; from < RECORDS; from += 2_000) {
                    TestOrders.produce(kafka, registry, topic, TestOrders.V1, from, from + 2_000);
                    Thread.sleep(200);
                }
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "test-producer");
        producer.start();

        IngestPipeline a = instance(kafka, registry, topic, group, location, "a");
        // Static members (fixed ids) stay in the group when they stop, unless told to leave: b leaves, so a takes
        // b's partitions at once rather than after b's session times out.
        IngestPipeline b = instance(kafka, registry, topic, group, location, "b");
        a.start();
        b.start();
        await().atMost(Duration.ofMinutes(1)).until(() -> a.status().batchesCommitted() >= 3
                && b.status().batchesCommitted() >= 3);
        assertThat(a.status().partitions()).as("a's partitions").hasSizeBetween(1, 3);
        assertThat(b.status().partitions()).as("b's partitions").hasSizeBetween(1, 3);

        b.close(); // mid-way: records keep arriving; a takes b's partitions over from the table's offsets
        assertThat(b.status().state()).isEqualTo(PipelineState.STOPPED);
        // b left the group: a gets its partitions without waiting for b's 45 s session to time out.
        await().atMost(Duration.ofSeconds(30)).until(() -> a.status().partitions().size() == 4);
        producer.join(Duration.ofMinutes(2).toMillis());
        assertThat(producerFailure.get()).isNull();
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        await().atMost(Duration.ofMinutes(1)).until(() -> table.snapshot().totalRecords() >= RECORDS);
        assertThat(a.status().partitions()).as("a owns every partition after b left").hasSize(4);
        a.close();

        Map<Long, Integer> counts = TestOrders.idCounts(location);
        assertThat(counts).hasSize((int) RECORDS);
        assertThat(counts.entrySet()).filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(a.status().recordsCommitted() + b.status().recordsCommitted()).isEqualTo(RECORDS);
        assertThat(List.of(a.status().state(), b.status().state())).containsOnly(PipelineState.STOPPED);
    }

    private static IngestPipeline instance(LocalKafkaBroker kafka, SchemaRegistryClient registry, String topic,
                                           String group, String location, String instanceId) {
        PipelineSettings settings = PipelineSettings.builder("shared").instanceId(instanceId)
                .topics(List.of(topic)).bootstrapServers(kafka.bootstrapServers()).groupId(group)
                .triggerInterval(Duration.ofMillis(300)).maxRecords(3_000).leaveGroupOnStop(true).build();
        // Each instance has its own table handle, as two processes would.
        return new IngestPipeline(settings, LakeTable.open(TableOptions.builder(location).build()),
                new ConfluentAvroDecoder(registry));
    }
}
