package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/lakehouse run --config F --once} in its own process with the shipped configuration (a fixed instance
 * id): it ingests up to the end offsets at its start, commits and exits 0, even while producers keep writing;
 * catch-up runs and an ordinary run killed with SIGKILL take turns on one table, and Delta Kernel finds every
 * order exactly once; a pipeline that fails makes the run exit 1 with the error.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class CatchUpRunIT {

    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @Test
    void catchUpRunsAndAnOrdinaryRunTakeTurnsOnOneTableExactlyOnce(LocalKafkaBroker kafka,
                                                                   SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("orders").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve("lakehouse.yaml"), kafka, registry, topic, location,
                "appliance-1");
        Path log = Path.of("target", "catch-up-run.log").toAbsolutePath();
        Files.deleteIfExists(log);
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());

        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator orders = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            // 1. A backlog, drained by a catch-up run that then exits by itself.
            orders.produce(6_000);
            assertThat(runOnce(config, log)).as("exit of the first catch-up run (see %s)", log).isZero();
            OrderTable.assertEveryOrderExactlyOnce(location, 6_000);

            // 2. An ordinary run takes over and is killed after it committed everything so far.
            orders.produce(4_000);
            Process ordinary = ApplianceProcess.startInstalled(config, log);
            await().atMost(Duration.ofMinutes(2)).until(() -> table.snapshot().totalRecords() >= 10_000
                    || !ordinary.isAlive());
            ordinary.destroyForcibly();
            assertThat(ordinary.waitFor(60, TimeUnit.SECONDS)).isTrue();

            // 3. A catch-up run while a producer keeps writing: it stops at the ends it read at its start.
            long produced;
            try (BackgroundOrders more = new BackgroundOrders(kafka.bootstrapServers(), registry.url(), topic,
                    2_000, 10_000)) {
                await().atMost(Duration.ofMinutes(1)).until(() -> more.produced() > 10_500);
                assertThat(runOnce(config, log)).as("exit of the catch-up run beside a producer (see %s)", log)
                        .isZero();
                produced = more.stop();
            }
            // 4. The last catch-up run takes the rest.
            assertThat(runOnce(config, log)).isZero();
            OrderTable.assertEveryOrderExactlyOnce(location, produced);
        }
        String output = Files.readString(log);
        assertThat(output).contains("catch-up run done").doesNotContain("FAILED");
    }

    @Test
    void aCatchUpRunWhosePipelineFailsExitsOneWithTheError(LocalKafkaBroker kafka, SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        String location = dir.resolve("orders-failing").toUri().toString();
        // A required column the orders do not have: every pipeline run stops with an error naming it.
        Path config = ShippedConfig.write(dir.resolve("lakehouse-failing.yaml"), kafka, registry, topic, location,
                "appliance-1", pipeline -> pipeline.set("table.required-columns", List.of("coupon_code")));
        Path log = Path.of("target", "catch-up-run-failing.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator orders = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            orders.produce(100);
        }

        assertThat(runOnce(config, log)).as("exit code (see %s)", log).isEqualTo(1);
        assertThat(Files.readString(log)).contains("error: pipeline orders: ").contains("coupon_code");
    }

    @Test
    void aCatchUpRunTheGroupGivesNoPartitionExitsZeroSayingSo(LocalKafkaBroker kafka, SchemaRegistryServer registry)
            throws Exception {
        // A one-partition topic owned by a running appliance; a catch-up run of another instance id in its group.
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
        String location = dir.resolve("orders-owned").toUri().toString();
        Path owner = ShippedConfig.write(dir.resolve("owner.yaml"), kafka, registry, topic, location, "appliance-1");
        Path other = ShippedConfig.write(dir.resolve("other.yaml"), kafka, registry, topic, location, "appliance-2");
        Path log = Path.of("target", "catch-up-run-unassigned.log").toAbsolutePath();
        Path ownerLog = Path.of("target", "catch-up-run-owner.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Files.deleteIfExists(ownerLog);
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator orders = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            orders.produce(100);
            Process running = ApplianceProcess.startInstalled(owner, ownerLog);
            try {
                await().atMost(Duration.ofMinutes(2)).until(() -> table.exists()
                        && table.snapshot().totalRecords() >= 100 || !running.isAlive());
                assertThat(running.isAlive()).isTrue();

                long started = System.nanoTime();
                assertThat(runOnce(other, log)).as("exit of the catch-up run without partitions (see %s)", log)
                        .isZero();
                System.out.printf("catch-up run without partitions exited after %.1f s%n",
                        (System.nanoTime() - started) / 1e9);
                assertThat(Files.readString(log)).contains("has given this instance no partition");
            } finally {
                running.destroy();
                running.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aCatchUpRunWhoseTopicIsDeletedMidRunEndsSayingSo(LocalKafkaBroker kafka, SchemaRegistryServer registry)
            throws Exception {
        // Small batches make the run long enough to delete its topic while it reads.
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
        String location = dir.resolve("orders-deleted").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve("deleted.yaml"), kafka, registry, topic, location,
                "appliance-1", pipeline -> pipeline.set("trigger.max-records", 200));
        Path log = Path.of("target", "catch-up-run-deleted-topic.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator orders = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            orders.produce(30_000);
        }
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        Process once = ApplianceProcess.startInstalled(log, null, "run", "--config", config.toString(), "--once");
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !once.isAlive() || table.exists() && table.snapshot().totalRecords() >= 2_000);
            assertThat(once.isAlive()).as("still reading when its topic is deleted (see %s)", log).isTrue();
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    java.util.Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.deleteTopics(java.util.List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
            assertThat(once.waitFor(2, TimeUnit.MINUTES)).as("the catch-up run ends (see %s)", log).isTrue();
        } finally {
            once.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.printf("catch-up run whose topic was deleted: exit %d after %,d rows%n", once.exitValue(),
                table.snapshot().totalRecords());
        assertThat(once.exitValue()).as(output).isZero();
        assertThat(output).containsAnyOf("its topics [" + topic + "] were deleted while it read them",
                "the topics are gone: [" + topic + "] no longer exist");
        assertThat(table.snapshot().totalRecords()).isLessThan(30_000);
        OrderTable.assertEveryOrderExactlyOnce(location, table.snapshot().totalRecords());
    }

    @Test
    void aCatchUpRunOfATablePerTopicNeverWaitsForAMemberThatIsDone(LocalKafkaBroker kafka,
                                                                   SchemaRegistryServer registry) throws Exception {
        // A table per topic: one pipeline, and group member, per topic, all in one group. A pipeline that is done
        // leaves the group; before, it departed silently and every later join waited out its 45 s session (40
        // topics: 58.7 s launch to exit, 26 members assigned 47 s after the first; now 12 s).
        String prefix = TestNames.unique("fanout");
        int topics = Integer.getInteger("fanout.topics", 40);
        int orders = 300;
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            for (int i = 0; i < topics; i++) {
                kafka.createTopic(prefix + "-" + i, 1);
                try (OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, prefix + "-" + i,
                        0, Clock.systemUTC())) {
                    generator.produce(orders);
                }
            }
        }
        Path tables = dir.resolve("tables");
        dev.lakehouse.app.config.ApplianceYaml yaml = new dev.lakehouse.app.config.ApplianceYaml();
        yaml.pipeline("raw").set("instance-id", "appliance-1")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topic-pattern", prefix + "-[0-9]+")
                .set("source.starting-position", "earliest")
                .set("registry.url", registry.url())
                .set("table.location", tables.toUri() + "/{topic}")
                .set("trigger.interval", "1s");
        Path config = yaml.console("host", "127.0.0.1").console("port", 0).write(dir.resolve("fanout.yaml"));
        Path log = Path.of("target", "catch-up-run-fanout.log").toAbsolutePath();
        Files.deleteIfExists(log);

        long started = System.nanoTime();
        assertThat(runOnce(config, log)).as("exit of the catch-up run (see %s)", log).isZero();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("catch-up run over %d topics exited after %.1f s%n", topics, seconds);
        for (int i = 0; i < topics; i++) {
            OrderTable.assertEveryOrderExactlyOnce(tables.resolve(prefix + "-" + i).toUri().toString(), orders);
        }
        // A join held up by a silently departed member takes the whole session timeout (45 s) at least.
        assertThat(seconds).as("launch to exit (see %s)", log).isLessThan(45);
    }

    private static int runOnce(Path config, Path log) throws Exception {
        return ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once");
    }
}
