package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart as a StatefulSet does it, with the shipped {@code leave-group-on-stop: true}: two
 * {@code bin/lakehouse run} processes with fixed instance ids share a table while orders arrive; one gets SIGTERM and
 * stays down for 9 s, then comes back. While it is down the other commits every partition, its peer's included
 * (with static membership alone the stopped peer's partitions stood still until it was back, or for the 45 s
 * session); afterwards every order is in the table once.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class RollingRestartIT {

    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @Test
    void aGracefullyStoppedInstanceHandsItsPartitionsToItsPeerUntilItIsBack(LocalKafkaBroker kafka,
            SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("orders").toUri().toString();
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        Path log = Path.of("target", "rolling-restart.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Path configA = ShippedConfig.write(dir.resolve("a.yaml"), kafka, registry, topic, location, "appliance-a",
                pipeline -> pipeline.set("source.leave-group-on-stop", true));
        Path configB = ShippedConfig.write(dir.resolve("b.yaml"), kafka, registry, topic, location, "appliance-b",
                pipeline -> pipeline.set("source.leave-group-on-stop", true));

        long produced;
        long[] atStop;
        long[] whileDown;
        try (BackgroundOrders orders = new BackgroundOrders(kafka.bootstrapServers(), registry.url(), topic, 1_000)) {
            Process a = ApplianceProcess.startInstalled(configA, log);
            Process b = ApplianceProcess.startInstalled(configB, log);
            try {
                // Both members in, every partition committed at least once.
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() ->
                        !a.isAlive() || !b.isAlive() || java.util.Arrays.stream(nextOffsets(table, topic))
                                .allMatch(next -> next > 0));
                assertThat(a.isAlive() && b.isAlive()).as("both run (see %s)", log).isTrue();
                TimeUnit.SECONDS.sleep(3);

                a.destroy(); // SIGTERM: commit, leave the group, exit
                assertThat(a.waitFor(60, TimeUnit.SECONDS)).as("a graceful stop ends (see %s)", log).isTrue();
                TimeUnit.SECONDS.sleep(3); // the group gives the peer the stopped instance's partitions
                atStop = nextOffsets(table, topic);
                TimeUnit.SECONDS.sleep(6);
                whileDown = nextOffsets(table, topic);

                Process again = ApplianceProcess.startInstalled(configA, log);
                try {
                    TimeUnit.SECONDS.sleep(5);
                    produced = orders.stop();
                    long expected = produced;
                    await().atMost(Duration.ofMinutes(2)).until(() -> !again.isAlive() || !b.isAlive()
                            || table.snapshot().totalRecords() >= expected);
                    assertThat(again.isAlive() && b.isAlive()).as("both run (see %s)", log).isTrue();
                } finally {
                    again.destroy();
                    again.waitFor(60, TimeUnit.SECONDS);
                }
            } finally {
                a.destroyForcibly();
                b.destroy();
                b.waitFor(60, TimeUnit.SECONDS);
            }
        }
        System.out.printf("rolling restart: next offsets per partition 3 s after the stop %s, 9 s after it %s%n",
                java.util.Arrays.toString(atStop), java.util.Arrays.toString(whileDown));
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(whileDown[p]).as("partition %d committed while its instance was down (see %s)", p, log)
                    .isGreaterThan(atStop[p]);
        }
        OrderTable.assertEveryOrderExactlyOnce(location, produced);
        assertThat(Files.readString(log)).doesNotContain("FAILED");
    }

    private static long[] nextOffsets(LakeTable table, String topic) {
        long[] next = new long[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            next[p] = table.exists() ? table.txnVersion(new OffsetRange(topic, p, 0, 0).appId("orders")) : -1;
        }
        return next;
    }
}
