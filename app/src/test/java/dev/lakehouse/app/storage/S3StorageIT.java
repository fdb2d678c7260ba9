package dev.lakehouse.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.Appliance;
import dev.lakehouse.app.ApplianceProcess;
import dev.lakehouse.app.Main;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.compaction.MaintenanceOutcome;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.compaction.Vacuum;
import dev.lakehouse.ingest.RunningPipeline;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.s3.local.LocalS3Server;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.storage.WriterLease;
import dev.lakehouse.table.storage.WriterLeaseHeldException;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.LocalS3Extension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole appliance on S3 through hadoop-aws {@code s3a://}: ingestion from a real broker, compaction and vacuum,
 * against a real S3-protocol server (s3proxy in its own JVM), read back by Delta Kernel over s3a.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class, LocalS3Extension.class})
class S3StorageIT {

    private static final String BUCKET = "lake";
    private static LocalS3Server s3;
    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket(LocalS3Server server) {
        s3 = server;
        s3.createBucket(BUCKET);
    }

    /** The s3a settings a MinIO or S3-compatible deployment uses: endpoint, path style, region, static keys. */
    static Map<String, String> s3aSettings() {
        return s3aSettings(s3.endpoint());
    }

    /** {@link #s3aSettings()} for the S3 server at {@code endpoint}. */
    static Map<String, String> s3aSettings(String endpoint) {
        return LocalS3Server.s3aSettings(endpoint);
    }

    @Test
    void ingestsCompactsAndVacuumsAnS3aTable(LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 2);
        String location = "s3a://" + BUCKET + "/" + topic + "/orders";
        Path config = new ApplianceYaml().pipeline("orders")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                .set("registry.url", registry.url())
                .set("table.location", location)
                .set("table.partition-by", List.of("country"))
                .set("table.hadoop", s3aSettings())
                .set("trigger.interval", "500ms")
                .set("compaction.enabled", false)
                .set("compaction.min-input-files", 2)
                .and().console("port", 0)
                .write(dir.resolve("appliance.yaml"));
        try (Appliance appliance = Appliance.create(ConfigLoader.load(config));
             SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            RunningPipeline pipeline = appliance.pipelines().get(0);
            appliance.start();
            for (int i = 0; i < 5; i++) { // several batches: several small files per partition
                generator.produce(1000);
                long target = generator.nextOrderId();
                await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() >= target);
            }
            assertThat(pipeline.status().error()).isNull();
            int filesBefore = pipeline.table().snapshot().files().size();
            assertThat(filesBefore).isGreaterThan(5);

            appliance.maintenance().compactNow("orders");
            await().atMost(Duration.ofMinutes(1)).until(() -> appliance.maintenance().recentRuns("orders").stream()
                    .anyMatch(r -> r.outcome() == MaintenanceOutcome.COMPACTED));
            assertThat(pipeline.table().snapshot().files().size()).isLessThan(filesBefore);

            // Vacuum with no retention (forced, as only the vacuum command's --force allows) deletes the
            // compacted-away objects from the bucket and nothing the table still references.
            long objectsBefore = dataObjects(topic);
            MaintenanceRun vacuum = Vacuum.run(pipeline.table(), Vacuum.Options.of(Duration.ZERO).allowingShortRetention());
            assertThat(vacuum.outcome()).isEqualTo(MaintenanceOutcome.VACUUMED);
            assertThat(vacuum.filesBefore()).isEqualTo(filesBefore);
            assertThat(dataObjects(topic)).isEqualTo(objectsBefore - filesBefore);

            generator.produce(1000);
            await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() >= 6000);
        }

        KernelReader.Result rows = KernelReader.read(location, s3aSettings());
        Set<Object> ids = new HashSet<>();
        rows.rows().forEach(r -> ids.add(r.get("order_id")));
        assertThat(rows.rows()).hasSize(6000);
        assertThat(ids).hasSize(6000);
        assertThat(rows.partitionColumns()).containsExactly("country");
    }

    @Test
    void aSecondApplianceIsRefusedTheTableAndACrashedWritersLeaseExpires(LocalKafkaBroker kafka,
                                                                        SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
        String location = "s3a://" + BUCKET + "/" + topic + "/orders";
        // The single-writer lease, as on a store without conditional writes (this server has them).
        Path first = write("first", pipeline("appliance-a", kafka, registry, topic, location)
                .set("table.commit-coordination", "lease"));
        Path second = write("second", pipeline("appliance-b", kafka, registry, topic, location)
                .set("table.commit-coordination", "lease"));
        try (Appliance owner = Appliance.create(ConfigLoader.load(first));
             SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            owner.start();
            generator.produce(500);
            await().atMost(Duration.ofMinutes(1)).until(() -> owner.pipelines().get(0).status().recordsCommitted() >= 500);

            assertThatThrownBy(() -> Appliance.create(ConfigLoader.load(second)))
                    .isInstanceOf(WriterLeaseHeldException.class)
                    .hasMessageContaining("is written by 'appliance-a'")
                    .hasMessageContaining("two writers lose commits");
            // A maintenance command is a writer too: it is refused while the owner runs, and says what to do.
            StringWriter err = new StringWriter();
            int refused = Main.commandLine().setErr(new PrintWriter(err))
                    .execute("compact", "--config", first.toString(), "--table", "orders");
            assertThat(refused).isEqualTo(1);
            assertThat(err.toString()).contains("is written by 'appliance-a'").contains("Compact now");
            generator.produce(500);
            await().atMost(Duration.ofMinutes(1)).until(() -> owner.pipelines().get(0).status().recordsCommitted() >= 1000);
        }

        // The owner stopped and released its lease: the second appliance may now write, and continues exactly.
        try (Appliance successor = Appliance.create(ConfigLoader.load(second))) {
            successor.start();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    successor.pipelines().get(0).status().state() == PipelineState.RUNNING);
        }

        // With no appliance running, the command takes the lease, compacts and gives the lease back (or the
        // 'crashed' writer below could not take it).
        StringWriter out = new StringWriter();
        assertThat(Main.commandLine().setOut(new PrintWriter(out))
                .execute("compact", "--config", first.toString(), "--table", "orders")).isEqualTo(0);
        assertThat(out.toString()).contains("compaction of");

        // A writer that crashes never releases its lease; it blocks others until it expires, then is taken over.
        TableOptions.Builder builder = TableOptions.builder(location);
        s3aSettings().forEach(builder::hadoopProperty);
        TableOptions options = builder.build();
        WriterLease crashed = WriterLease.acquire(options, "crashed-appliance", Duration.ofSeconds(6),
                Duration.ofMillis(200), Clock.systemUTC());
        assertThat(crashed.isValid()).isTrue();
        assertThatThrownBy(() -> Appliance.create(ConfigLoader.load(second)))
                .isInstanceOf(WriterLeaseHeldException.class).hasMessageContaining("'crashed-appliance'");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> {
                    try (Appliance taker = Appliance.create(ConfigLoader.load(second))) {
                        return true;
                    }
                });
        assertThat(crashed.isValid()).as("the crashed holder's lease is no longer valid").isFalse();
        assertThatThrownBy(crashed::renew).isInstanceOf(WriterLeaseHeldException.class);
        assertThat(KernelReader.read(location, s3aSettings()).rows()).hasSize(1000);
    }

    @Test
    void aSecondLiveProcessWithTheSameInstanceIdIsRefusedAndAKilledOnesLeaseIsTakenBackWithoutWaitingForExpiry(
            LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
        String location = "s3a://" + BUCKET + "/" + topic + "/orders";
        // The default lease time to live (60 s): a restart must not wait for it.
        Path config = write("same-identity", pipeline("appliance-s", kafka, registry, topic, location)
                .set("table.writer-lease-ttl", null));
        Path log = Path.of("target", "s3-same-identity.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            Process first = ApplianceProcess.start(config, log);
            generator.produce(500);
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                    .until(() -> KernelReader.read(location, s3aSettings()).rows().size() >= 500);

            // The same configuration started again while the first still runs: refused, naming the first.
            assertThatThrownBy(() -> Appliance.create(ConfigLoader.load(config)))
                    .isInstanceOf(WriterLeaseHeldException.class)
                    // Commits by conditional puts (the default here): the lease of the identity refuses it.
                    .hasMessageContaining("another live process under this appliance's own name "
                            + "'orders@appliance-s'")
                    .hasMessageContaining("/" + first.pid());
            assertThat(first.isAlive()).isTrue();

            first.destroyForcibly(); // kill -9: the lease stays behind, unexpired, and nobody renews it
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long killedAt = System.nanoTime();
            try (Appliance restarted = Appliance.create(ConfigLoader.load(config))) {
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                System.out.printf("S3 lease taken back by the restarted instance %d ms after kill -9 (ttl 60 s)%n",
                        tookMillis);
                assertThat(tookMillis).as("taken back once renewals stopped, long before the 60 s expiry")
                        .isLessThan(30_000);
                restarted.start();
                generator.produce(500);
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> restarted.pipelines().get(0).status().recordsCommitted() >= 500);
            }
        }
        Set<Object> ids = new HashSet<>();
        KernelReader.read(location, s3aSettings()).rows().forEach(r -> ids.add(r.get("order_id")));
        assertThat(ids).hasSize(1000);
        assertThat(KernelReader.read(location, s3aSettings()).rows()).hasSize(1000);
    }

    @Test
    void aStorageOutageLongerThanTheLeaseIsWaitedOutAndEveryRecordLandsOnce(LocalKafkaBroker kafka,
            SchemaRegistryServer registry, @TempDir Path outageDir) throws Exception {
        LocalS3Server storage = LocalS3Server.start(outageDir);
        // A bucket name of its own: Hadoop caches file systems by bucket, and the shared server's is cached already.
        String bucket = "outage";
        storage.createBucket(bucket);
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
        String location = "s3a://" + bucket + "/" + topic + "/orders";
        Map<String, String> settings = new java.util.HashMap<>(s3aSettings());
        settings.put("fs.s3a.endpoint", storage.endpoint());
        // This test's own server; quick s3a retries so that the outage is seen at once, not after minutes.
        Map<String, String> hadoop = new java.util.LinkedHashMap<>(settings);
        hadoop.put("fs.s3a.attempts.maximum", "1");
        hadoop.put("fs.s3a.retry.limit", "1");
        hadoop.put("fs.s3a.connection.timeout", "2000");
        hadoop.put("fs.s3a.connection.establish.timeout", "2000");
        // A group of its own: the other tests' static members of the default group would hold up the join.
        Path config = write("outage", pipeline("appliance-o", kafka, registry, topic, location)
                .set("table.hadoop", hadoop).set("source.group-id", TestNames.unique("outage-group")));
        Path log = Path.of("target", "s3-outage.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Process appliance = null;
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            Process running = ApplianceProcess.start(config, log);
            appliance = running;
            generator.produce(500);
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                    .until(() -> !running.isAlive() || KernelReader.read(location, settings).rows().size() >= 500);
            assertThat(running.isAlive()).as("see " + log).isTrue();

            storage.close(); // the storage goes away for longer than the lease's 6 s time to live
            generator.produce(500);
            TimeUnit.SECONDS.sleep(15);
            assertThat(appliance.isAlive()).as("an outage is not a reason to stop").isTrue();
            storage = storage.restart();

            await().atMost(Duration.ofMinutes(2)).ignoreExceptions()
                    .until(() -> KernelReader.read(location, settings).rows().size() >= 1000);
            assertThat(appliance.isAlive()).isTrue();
            assertThat(Files.readString(log)).contains("cannot renew a writer lease")
                    .doesNotContain("stopping the pipelines").doesNotContain("FAILED");
            List<Map<String, Object>> rows = KernelReader.read(location, settings).rows();
            Set<Object> ids = new HashSet<>();
            rows.forEach(r -> ids.add(r.get("order_id")));
            assertThat(ids).hasSize(1000);
            assertThat(rows).hasSize(1000);
        } finally {
            if (appliance != null) {
                appliance.destroy();
                appliance.waitFor(30, TimeUnit.SECONDS);
            }
            storage.close();
        }
    }

    /** A single pipeline of the kind these tests run: a fixed instance id, a 6 s writer lease, s3a settings. */
    private static ApplianceYaml.Pipeline pipeline(String instanceId, LocalKafkaBroker kafka,
                                                   SchemaRegistryServer registry, String topic, String location) {
        return new ApplianceYaml().pipeline("orders")
                .set("instance-id", instanceId)
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                .set("registry.url", registry.url())
                .set("table.location", location)
                .set("table.writer-lease-ttl", "6s")
                .set("table.hadoop", s3aSettings())
                .set("trigger.interval", "300ms")
                .set("compaction.enabled", false);
    }

    /** Writes {@code pipeline}'s configuration, without a console, as {@code <name>.yaml}. */
    private Path write(String name, ApplianceYaml.Pipeline pipeline) throws Exception {
        return pipeline.and().console("enabled", false).write(dir.resolve(name + ".yaml"));
    }

    /** Parquet objects of the table in the bucket, as the S3 server stores them. */
    private static long dataObjects(String topic) throws Exception {
        try (Stream<Path> files = Files.walk(s3.dataDir().resolve("buckets").resolve(BUCKET).resolve(topic))) {
            return files.filter(f -> f.toString().endsWith(".parquet")).count();
        }
    }
}
