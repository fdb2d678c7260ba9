package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts as production does them: {@code bin/lakehouse run} in its own process with ONE fixed instance id (as
 * {@code deploy/lakehouse.yaml} ships), killed with SIGKILL only after it has committed rows, stopped with
 * SIGTERM now and then, and started again by a supervisor loop whatever the reason it exited. Every order is in the
 * table exactly once (Delta Kernel), no process exits on its own, and the time from each kill to the next
 * committed rows is printed.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class RestartWithFixedIdentityIT {

    /** 10 in the test command (8 kills, 2 graceful restarts); the soak is {@code -Dcrash.stops=25} or more. */
    private static final int STOPS = Integer.getInteger("crash.stops", 10);
    /** Every fifth stop is a SIGTERM (graceful), the others SIGKILLs. */
    private static final int SIGTERM_EVERY = 5;
    private static final int PARTITIONS = 3;
    private static final int ORDERS_PER_SECOND = 2_000;

    @TempDir
    Path dir;

    @Test
    void everyRecordExactlyOnceAcrossKillsAndRestartsOfOneInstanceId(LocalKafkaBroker kafka,
                                                                               SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        Path tableDir = dir.resolve("orders");
        String location = tableDir.toUri().toString();
        Path config = writeConfig(kafka, registry, topic, location, "appliance-1");
        Path log = Path.of("target", "restart-with-fixed-identity.log").toAbsolutePath();
        Files.deleteIfExists(log);
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        Random random = new Random(7);
        List<Long> recoveryMillis = new ArrayList<>();
        int exitedOnTheirOwn = 0;

        long produced;
        try (BackgroundOrders orders = new BackgroundOrders(kafka.bootstrapServers(), registry.url(), topic,
                ORDERS_PER_SECOND)) {
            Instant stoppedAt = null;
            long versionAtStop = -1;
            for (int stop = 1; stop <= STOPS; stop++) {
                Process appliance = ApplianceProcess.startInstalled(config, log);
                // The supervisor: whatever exits is started again; a process that exits on its own is counted.
                Optional<TableCommit> firstRows;
                while ((firstRows = firstCommitWithRowsAfter(table, versionAtStop)).isEmpty()) {
                    if (!appliance.isAlive()) {
                        exitedOnTheirOwn++;
                        System.out.printf("appliance exited on its own with %d before committing (see %s)%n",
                                appliance.exitValue(), log);
                        appliance = ApplianceProcess.startInstalled(config, log);
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                if (stoppedAt != null) {
                    recoveryMillis.add(Duration.between(stoppedAt, firstRows.get().timestamp()).toMillis());
                }
                // It has committed rows: stop it at a random moment of its work, batches in flight or not.
                TimeUnit.MILLISECONDS.sleep(random.nextInt(2_000));
                assertThat(appliance.isAlive()).as("appliance alive before stop %d (see %s)", stop, log).isTrue();
                boolean graceful = stop % SIGTERM_EVERY == 0;
                stoppedAt = Instant.now();
                if (graceful) {
                    appliance.destroy(); // SIGTERM: commits the open batch, then exits
                } else {
                    appliance.destroyForcibly(); // SIGKILL
                }
                assertThat(appliance.waitFor(60, TimeUnit.SECONDS)).isTrue();
                if (graceful) {
                    // 143 = 128 + SIGTERM, the JVM's status after its shutdown hooks ran.
                    assertThat(appliance.exitValue()).as("exit after SIGTERM (see %s)", log).isIn(0, 143);
                }
                versionAtStop = table.snapshot().version();
            }
            produced = orders.stop();
        }

        Process last = ApplianceProcess.startInstalled(config, log);
        long expected = produced;
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> table.snapshot().totalRecords() >= expected || !last.isAlive());
        assertThat(last.isAlive()).as("the last appliance is still running (see %s)", log).isTrue();
        last.destroy();
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).isIn(0, 143);

        long rows = OrderTable.assertEveryOrderExactlyOnce(location, produced);
        Collections.sort(recoveryMillis);
        long p50 = recoveryMillis.get(recoveryMillis.size() / 2);
        long max = recoveryMillis.get(recoveryMillis.size() - 1);
        System.out.printf("restart with a fixed instance id: %d stops (%d SIGKILL, %d SIGTERM), %d rows exactly once; "
                        + "stop to next committed rows p50 %d ms, max %d ms (all: %s)%n", STOPS,
                STOPS - STOPS / SIGTERM_EVERY, STOPS / SIGTERM_EVERY, rows, p50, max, recoveryMillis);
        assertThat(exitedOnTheirOwn).as("processes that exited on their own (see %s)", log).isZero();
        String output = Files.readString(log);
        assertThat(output).doesNotContain("FAILED").doesNotContain("older than the committed batch");
        // Static membership: a restart takes its partitions back at once, not after the 45 s session timeout.
        assertThat(p50).as("median stop-to-commit, far below the group session timeout").isLessThan(20_000);
    }

    @Test
    void aSecondLiveProcessWithTheSameInstanceIdIsRefusedAndTheFirstKeepsCommitting(LocalKafkaBroker kafka,
                                                                                   SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("orders").toUri().toString();
        Path config = writeConfig(kafka, registry, topic, location, "appliance-1");
        Path firstLog = Path.of("target", "same-identity-first.log").toAbsolutePath();
        Path secondLog = Path.of("target", "same-identity-second.log").toAbsolutePath();
        Files.deleteIfExists(firstLog);
        Files.deleteIfExists(secondLog);
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());

        long produced;
        Process first;
        try (BackgroundOrders orders = new BackgroundOrders(kafka.bootstrapServers(), registry.url(), topic,
                ORDERS_PER_SECOND)) {
            first = ApplianceProcess.startInstalled(config, firstLog);
            await().atMost(Duration.ofMinutes(1)).until(() -> firstCommitWithRowsAfter(table, -1).isPresent());

            // A second copy of the same configuration (a rolling update with surge, a copied file).
            Process second = ApplianceProcess.startInstalled(config, secondLog);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second process stops (see %s)", secondLog)
                    .isTrue();
            assertThat(second.exitValue()).isEqualTo(1);
            String refusal = Files.readString(secondLog);
            assertThat(refusal).contains("orders@appliance-1").contains("is running in")
                    .contains("/" + first.pid() + " since").contains("give this one its own instance-id");

            long versionAfterRefusal = table.snapshot().version();
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> firstCommitWithRowsAfter(table, versionAfterRefusal).isPresent());
            assertThat(first.isAlive()).as("the first process keeps running (see %s)", firstLog).isTrue();
            produced = orders.stop();
        }
        long expected = produced;
        await().atMost(Duration.ofMinutes(2)).until(() -> table.snapshot().totalRecords() >= expected);
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isIn(0, 143);
        OrderTable.assertEveryOrderExactlyOnce(location, produced);
        assertThat(Files.readString(firstLog)).doesNotContain("fenced").doesNotContain("FAILED");
    }

    private Path writeConfig(LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic, String location,
                             String instanceId) throws Exception {
        return ShippedConfig.write(dir.resolve("lakehouse-" + topic + ".yaml"), kafka, registry, topic, location,
                instanceId);
    }

    /** The oldest ingest commit with rows after {@code version}, if any. */
    private static Optional<TableCommit> firstCommitWithRowsAfter(LakeTable table, long version) {
        if (!table.exists()) {
            return Optional.empty();
        }
        long latest = table.snapshot().version();
        if (latest <= version) {
            return Optional.empty();
        }
        return table.history((int) Math.min(1_000, latest - version)).stream()
                .filter(c -> c.version() > version)
                .filter(c -> Long.parseLong(c.metrics().getOrDefault("numOutputRows", "0")) > 0)
                .reduce((newer, older) -> older);
    }
}
