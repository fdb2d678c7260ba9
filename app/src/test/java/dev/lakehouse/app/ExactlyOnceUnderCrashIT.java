package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under crashes: the appliance process ({@code bin/lakehouse run}, a random instance id per run) is
 * SIGKILLed at random moments while records keep arriving, then restarted; in the end Delta Kernel finds every
 * order in the table exactly once.
 *
 * <p>The test command kills it 8 times; the soak is {@code -Dcrash.kills=20} or more (docs/benchmarks.md, "Soaks"), with the orders
 * produced scaled so that production outlasts the kills.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class ExactlyOnceUnderCrashIT {

    private static final int KILLS = Integer.getInteger("crash.kills", 8);
    private static final int PARTITIONS = 3;
    /** About 7.5 s of production (1,200 orders a second) per kill, and some left for the last run. */
    private static final long RECORDS = KILLS * 10_500L;

    @TempDir
    Path dir;

    @Test
    void everyRecordIsInTheTableExactlyOnceAfterRepeatedSigkills(LocalKafkaBroker kafka, SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, PARTITIONS);
        Path tableDir = dir.resolve("orders");
        Path config = dir.resolve("appliance.yaml");
        new ApplianceYaml().pipeline("orders")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                // Static membership: a restarted appliance takes its partitions back at once instead of waiting
                // for the killed one's session to time out.
                .set("source.consumer-properties.group.instance.id", "appliance-1")
                .set("source.consumer-properties.session.timeout.ms", "10000")
                .set("registry.url", registry.url())
                .set("table.location", tableDir.toUri().toString())
                .set("table.partition-by", List.of("country"))
                .set("trigger.interval", "300ms")
                .set("trigger.max-records", 4000)
                .and()
                // Not the subject here, and its start-up would shift the kill moments.
                .console("enabled", false)
                .write(config);

        // Records arrive throughout the test, so kills land while batches are written and committed.
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
                 OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                         Clock.systemUTC())) {
                while (generator.nextOrderId() < RECORDS) {
                    // About 1,200 orders a second (8.75 s per kill): production outlasts the kills (7.5 s
                    // each on average), so every run has work and the last kill interrupts ingestion.
                    generator.produce(Math.min(1_500, RECORDS - generator.nextOrderId()));
                    TimeUnit.MILLISECONDS.sleep(1_250);
                }
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "test-producer");
        producer.start();

        Random random = new Random(42);
        Path log = Path.of("target", "exactly-once-under-crash-appliance.log").toAbsolutePath();
        Files.deleteIfExists(log);
        LakeTable table = LakeTable.open(TableOptions.builder(tableDir.toUri().toString()).build());
        long rowsBeforeLastKill = 0;
        int killsWhileCommitting = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            long versionAtStart = table.exists() ? table.snapshot().version() : -1;
            Process appliance = ApplianceProcess.startInstalled(config, log);
            // Random moments: bin/lakehouse takes about 3-4 s to its first commit here, then batches commit every
            // few hundred ms, so kills land in start-up, polling, Parquet writing or the commit itself.
            TimeUnit.MILLISECONDS.sleep(2_000 + random.nextInt(8_000));
            assertThat(appliance.isAlive()).as("appliance alive before kill %d (see %s)", kill, log).isTrue();
            appliance.destroyForcibly(); // SIGKILL
            assertThat(appliance.waitFor(30, TimeUnit.SECONDS)).isTrue();
            if (table.exists() && table.snapshot().version() > versionAtStart) {
                killsWhileCommitting++;
            }
            rowsBeforeLastKill = table.exists() ? table.snapshot().totalRecords() : 0;
        }
        producer.join(TimeUnit.SECONDS.toMillis(10L * KILLS + 30));
        assertThat(producerFailure.get()).isNull();
        assertThat(rowsBeforeLastKill).as("the killed runs made progress").isGreaterThan(0).isLessThan(RECORDS);
        assertThat(killsWhileCommitting).as("kills that hit a run which had begun committing batches")
                .isGreaterThanOrEqualTo(KILLS / 2);

        Process last = ApplianceProcess.startInstalled(config, log);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> table.exists() && table.snapshot().totalRecords() >= RECORDS);
        last.destroy(); // SIGTERM: a graceful stop
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // 143 = 128 + SIGTERM: the JVM's exit status after running its shutdown hooks on SIGTERM.
        assertThat(last.exitValue()).as("exit code after SIGTERM, see %s", log).isIn(0, 143);
        assertThat(Files.readString(log)).as("graceful stop logged").contains("pipeline orders stopped");

        BitSet seen = new BitSet((int) RECORDS);
        long rows = 0;
        long duplicates = 0;
        for (Map<String, Object> row : KernelReader.read(tableDir.toUri().toString()).rows()) {
            int id = Math.toIntExact((Long) row.get("order_id"));
            if (seen.get(id)) {
                duplicates++;
            }
            seen.set(id);
            rows++;
        }
        System.out.printf("exactly-once under crash: %d SIGKILLs (%d while committing), %d rows, %d distinct ids%n",
                KILLS, killsWhileCommitting, rows, seen.cardinality());
        assertThat(duplicates).as("duplicate order ids").isZero();
        assertThat(seen.cardinality()).as("distinct order ids").isEqualTo((int) RECORDS);
        assertThat(seen.nextSetBit((int) RECORDS)).isEqualTo(-1);
        assertThat(rows).isEqualTo(RECORDS);
        assertThat(Files.readString(log)).contains("\"outcome\":\"COMMITTED\"");

        // The table's own log proves it: every offset taken once, through every SIGKILL; and read against the topic
        // itself, every commit read and wrote as many records as Kafka holds in its ranges.
        Path auditLog = Path.of("target", "exactly-once-audit.log").toAbsolutePath();
        Path report = dir.resolve("audit.json");
        assertThat(ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString(), "--deep", "--report",
                report.toString())).as("audit exit code (see %s)", auditLog).isZero();
        assertThat(Files.readString(auditLog)).contains("orders: OK: every offset taken is in the table exactly once")
                .contains("orders: OK: every data record in Kafka is in the table exactly once");
        assertThat(Files.readString(report)).contains("\"ok\" : true");
        // A writer that takes partition 0 again under another pipeline name (a renamed pipeline starting over):
        // the audit names what was taken twice and exits 1.
        dev.lakehouse.table.DataFileWriter writer = table.newDataFileWriter();
        writer.write(anyRow(table));
        assertThat(table.commit(new dev.lakehouse.table.BatchCommit("orders_renamed", "x", 0, writer.finish(),
                List.of(new dev.lakehouse.table.OffsetRange(topic, 0, 0, 1)), Map.of())).committed()).isTrue();
        assertThat(ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString()))
                .as("audit exit code (see %s)", auditLog).isEqualTo(1);
        assertThat(Files.readString(auditLog)).contains(topic + "-0: offsets 0 to 0 were taken twice")
                .contains("orders: NOT WHOLE: 1 problems");
    }

    /** A row of the table's schema (its first row read back): what the forged batch writes. */
    private static org.apache.avro.generic.GenericRecord anyRow(LakeTable table) {
        try (dev.lakehouse.table.RowReader rows = table.openRows(table.snapshot().files().get(0))) {
            return rows.next();
        }
    }
}
