package dev.lakehouse.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.ApplianceProcess;
import dev.lakehouse.app.BackgroundOrders;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.s3.local.LocalS3Server;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.LocalS3Extension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several appliances on one {@code s3a://} table, as production scales out: three {@code bin/lakehouse run}
 * processes with their own instance ids in one consumer group, commits coordinated by conditional puts (the
 * default {@code auto} finds that the S3 server honours {@code If-None-Match: *}), compaction scheduled in all of
 * them. While orders arrive on 6 partitions, any of the three that has committed since it started is killed with
 * SIGKILL at a random moment and started again after a pause (instances leave and join). Delta Kernel then finds every order exactly once, the log has every
 * version from 0 to the last, and no version was reported committed by two writers.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class, LocalS3Extension.class})
class SharedS3TableIT {

    private static final String BUCKET = "shared";
    private static final int APPLIANCES = 3;
    private static final int PARTITIONS = 6;
    /** 60,000 in the test command; the full run is {@code -Dshared.orders=300000 -Dshared.kills=6} (docs/benchmarks.md). */
    private static final long ORDERS = Long.getLong("shared.orders", 60_000);
    /** SIGKILLs at least, each after the victim committed; orders keep arriving until they are done. */
    private static final int MIN_KILLS = Integer.getInteger("shared.kills", 2);
    /** Orders arrive over about 40 s, whatever their number, so that kills fall among commits. */
    private static final int ORDERS_PER_SECOND = (int) Math.max(1_000, ORDERS / 40);
    private static final Pattern COMMITTED = Pattern.compile(
            "\"instanceId\":\"([^\"]+)\".*\"outcome\":\"COMMITTED\",\"tableVersion\":(\\d+)");
    private static LocalS3Server s3;
    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket(LocalS3Server server) {
        s3 = server;
        s3.createBucket(BUCKET);
    }

    @Test
    void threeAppliancesKilledAtRandomShareOneTableAndIngestEveryRecordOnce(LocalKafkaBroker kafka,
                                                                          SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("shared");
        kafka.createTopic(topic, PARTITIONS);
        String location = "s3a://" + BUCKET + "/" + topic + "/orders";
        List<Path> configs = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 1; i <= APPLIANCES; i++) {
            configs.add(writeConfig(kafka, registry, topic, location, "appliance-" + i));
            Path log = Path.of("target", "shared-s3-table-" + i + ".log").toAbsolutePath();
            Files.deleteIfExists(log);
            logs.add(log);
        }
        Map<String, String> hadoop = S3StorageIT.s3aSettings(s3.endpoint());
        LakeTable table = LakeTable.open(optionsOf(location, hadoop));
        Random random = new Random(17);
        Process[] running = new Process[APPLIANCES];
        int kills = 0;
        long produced;
        try (BackgroundOrders orders = new BackgroundOrders(kafka.bootstrapServers(), registry.url(), topic,
                ORDERS_PER_SECOND)) {
            long[] commitsAtStart = new long[APPLIANCES];
            for (int i = 0; i < APPLIANCES; i++) {
                running[i] = ApplianceProcess.startInstalled(configs.get(i), logs.get(i));
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> table.exists() && table.snapshot().totalRecords() > 0);
            while (orders.produced() < ORDERS || kills < MIN_KILLS) {
                TimeUnit.MILLISECONDS.sleep(2_000 + random.nextInt(4_000));
                // Killed after it committed (a process killed while starting proves nothing new), at a random
                // moment of its work.
                List<Integer> candidates = new ArrayList<>();
                for (int i = 0; i < APPLIANCES; i++) {
                    if (commits(logs.get(i)) > commitsAtStart[i]) {
                        candidates.add(i);
                    }
                }
                if (candidates.isEmpty()) {
                    continue;
                }
                int victim = candidates.get(random.nextInt(candidates.size()));
                running[victim].destroyForcibly();
                running[victim].waitFor(60, TimeUnit.SECONDS);
                kills++;
                // Gone for a while: the group gives its partitions to the others (it left), then it joins again.
                TimeUnit.MILLISECONDS.sleep(random.nextInt(3_000));
                commitsAtStart[victim] = commits(logs.get(victim));
                running[victim] = ApplianceProcess.startInstalled(configs.get(victim), logs.get(victim));
            }
            produced = orders.stop();
        }
        try {
            long expected = produced;
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> table.snapshot().totalRecords() >= expected);
            for (int i = 0; i < APPLIANCES; i++) {
                assertThat(running[i].isAlive()).as("appliance %d runs (see %s)", i + 1, logs.get(i)).isTrue();
            }
        } finally {
            for (Process process : running) {
                process.destroy();
                process.waitFor(60, TimeUnit.SECONDS);
            }
        }

        assertEveryOrderOnce(location, hadoop, produced);
        long latest = table.snapshot().version();
        Path log = s3.dataDir().resolve("buckets").resolve(BUCKET).resolve(topic).resolve("orders").resolve("_delta_log");
        TreeSet<Long> versions = new TreeSet<>();
        try (Stream<Path> files = Files.list(log)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{20}\\.json"))
                    .forEach(n -> versions.add(Long.parseLong(n.substring(0, 20))));
        }
        assertThat(versions.first()).isZero();
        assertThat(versions.last()).isEqualTo(latest);
        assertThat(versions).as("no version missing from the log").hasSize((int) latest + 1);
        Map<Long, String> committedBy = new HashMap<>();
        int commits = 0;
        for (Path appliance : logs) {
            for (String line : Files.readAllLines(appliance)) {
                Matcher m = COMMITTED.matcher(line);
                if (m.find()) {
                    commits++;
                    String before = committedBy.put(Long.parseLong(m.group(2)), m.group(1));
                    assertThat(before).as("version %s reported committed by %s and %s", m.group(2), before,
                            m.group(1)).isNull();
                }
            }
        }
        System.out.printf("shared s3a table: %d appliances, %d SIGKILLs, %d orders once, %d versions, %d batch "
                + "commits from %s%n", APPLIANCES, kills, produced, latest + 1, commits,
                new TreeSet<>(committedBy.values()));
        assertThat(new TreeSet<>(committedBy.values())).as("appliances that committed to the one table")
                .hasSize(APPLIANCES);
        assertThat(kills).as("SIGKILLs after commits").isGreaterThanOrEqualTo(MIN_KILLS);
        for (Path appliance : logs) {
            assertThat(Files.readString(appliance)).contains("commits coordinated by conditional puts")
                    .doesNotContain("FAILED");
        }
    }

    /** Batches an appliance's log reports committed, over all its runs. */
    private static long commits(Path log) throws java.io.IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> COMMITTED.matcher(line).find()).count();
        }
    }

    private static TableOptions optionsOf(String location, Map<String, String> hadoop) {
        TableOptions.Builder options = TableOptions.builder(location);
        hadoop.forEach(options::hadoopProperty);
        return options.build();
    }

    private static void assertEveryOrderOnce(String location, Map<String, String> hadoop, long count) {
        BitSet seen = new BitSet((int) count);
        long rows = 0;
        for (Map<String, Object> row : KernelReader.read(location, hadoop).rows()) {
            int id = Math.toIntExact((Long) row.get("order_id"));
            assertThat(seen.get(id)).as("order %d twice", id).isFalse();
            seen.set(id);
            rows++;
        }
        assertThat(rows).isEqualTo(count);
        assertThat(seen.cardinality()).isEqualTo((int) count);
    }

    private Path writeConfig(LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic, String location,
                             String instanceId) throws Exception {
        Path config = new ApplianceYaml().pipeline("orders")
                .set("instance-id", instanceId)
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                .set("source.starting-position", "earliest")
                .set("registry.url", registry.url())
                .set("table.location", location)
                .set("table.hadoop", S3StorageIT.s3aSettings(s3.endpoint()))
                .set("trigger.interval", "1s")
                .set("compaction.schedule", "15s")
                .set("compaction.min-input-files", 5)
                .and().console("enabled", false)
                .write(dir.resolve(instanceId + ".yaml"));
        return config;
    }
}
