package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two appliances in one consumer group on one table, each under its own supervisor with its own fixed instance
 * id, while orders arrive at a steady 2,000 a second. First a quiet phase, then one of the two is SIGKILLed every
 * 6 to 13 s and started again. Incremental rebalancing and static membership keep the group committing through
 * each crash: the committed rows per second of both phases are printed, and every order is in the table once.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class GroupChurnIT {

    private static final int PARTITIONS = 6;
    private static final int ORDERS_PER_SECOND = 2_000;
    // Short in the test command; -Dchurn.quiet-seconds=20 -Dchurn.seconds=50 (or more) for a longer soak.
    private static final Duration QUIET = Duration.ofSeconds(Integer.getInteger("churn.quiet-seconds", 10));
    private static final Duration CHURN = Duration.ofSeconds(Integer.getInteger("churn.seconds", 30));

    @TempDir
    Path dir;

    @Test
    void aCrashingPeerDoesNotStallTheGroup(LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("orders").toUri().toString();
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        Path log = Path.of("target", "group-churn.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Random random = new Random(11);

        long produced;
        double quietRate;
        double churnRate;
        int kills = 0;
        List<Supervisor> group;
        try (BackgroundOrders orders = new BackgroundOrders(kafka.bootstrapServers(), registry.url(), topic,
                ORDERS_PER_SECOND);
             Supervisor a = new Supervisor(config(kafka, registry, topic, location, "appliance-a"), log);
             Supervisor b = new Supervisor(config(kafka, registry, topic, location, "appliance-b"), log)) {
            group = List.of(a, b);
            await().atMost(Duration.ofMinutes(1)).until(() -> rows(table) > 0);
            TimeUnit.SECONDS.sleep(5); // both members joined and the backlog of the start-up is in

            long quietStart = rows(table);
            TimeUnit.MILLISECONDS.sleep(QUIET.toMillis());
            long quietEnd = rows(table);
            quietRate = (quietEnd - quietStart) * 1000.0 / QUIET.toMillis();

            long churnStartedAt = System.nanoTime();
            long churnDeadline = churnStartedAt + CHURN.toNanos();
            while (System.nanoTime() < churnDeadline) {
                long pause = Math.min(TimeUnit.SECONDS.toMillis(6) + random.nextInt(7_000),
                        TimeUnit.NANOSECONDS.toMillis(churnDeadline - System.nanoTime()));
                TimeUnit.MILLISECONDS.sleep(Math.max(0, pause));
                if (System.nanoTime() < churnDeadline) {
                    group.get(random.nextInt(group.size())).kill();
                    kills++;
                }
            }
            long churnEnd = rows(table);
            churnRate = (churnEnd - quietEnd) * 1000.0 / TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                    - churnStartedAt);
            produced = orders.stop();
            long expected = produced;
            await().atMost(Duration.ofMinutes(2)).until(() -> rows(table) >= expected);
            assertThat(a.stop()).isIn(0, 143);
            assertThat(b.stop()).isIn(0, 143);
            assertThat(a.exitsOnTheirOwn() + b.exitsOnTheirOwn()).as("exits on their own (see %s)", log).isZero();
        }

        OrderTable.assertEveryOrderExactlyOnce(location, produced);
        System.out.printf("group churn: %d orders at %d/s on %d partitions, 2 appliances; quiet %.0f rows/s "
                        + "committed; %d SIGKILLs in %d s: %.0f rows/s committed (%.0f%% of quiet)%n", produced,
                ORDERS_PER_SECOND, PARTITIONS, quietRate, kills, CHURN.toSeconds(), churnRate,
                100 * churnRate / quietRate);
        assertThat(Files.readString(log)).doesNotContain("FAILED");
        // Before incremental rebalancing and static membership, each crash stopped the whole group for the dead
        // member's 45 s session: under 10% of the production rate was committed.
        assertThat(churnRate).as("committed rows/s while a peer keeps crashing").isGreaterThan(quietRate / 2);
    }

    private static long rows(LakeTable table) {
        return table.exists() ? table.snapshot().totalRecords() : 0;
    }

    private Path config(LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic, String location,
                        String instanceId) throws Exception {
        return ShippedConfig.write(dir.resolve(instanceId + ".yaml"), kafka, registry, topic, location, instanceId);
    }
}
