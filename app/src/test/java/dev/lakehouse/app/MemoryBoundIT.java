package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is in flight between Kafka and the table, and what the console reads back, is bounded by bytes:
 * {@code bin/lakehouse run} with its default JVM options (a 512 MiB heap) and the console on, polled the whole time
 * as an open browser polls it, takes 30,000 good records and 30,000 undecodable 64 KiB values (1.9 GB of dead
 * letters with their payloads) without running out of memory, and every record ends up a row or a dead letter.
 * (With the console on it died after about 8,500 of each when the console read every letter, payload included.)
 * Then {@code bin/lakehouse dead-letters replay} takes the whole backlog through the same heap.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MemoryBoundIT {

    private static final int EACH = 30_000;
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @TempDir
    Path dir;

    @Test
    void largeUndecodableRecordsNeverExhaustTheHeap(LocalKafkaBroker kafka) throws Exception {
        String topic = TestNames.unique("clicks");
        kafka.createTopic(topic, 2);
        byte[] bad = new byte[64 * 1024];
        Arrays.fill(bad, (byte) 'x'); // not JSON; compressible, so the broker's disk holds little of it
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(kafka,
                Map.of("compression.type", "lz4", "linger.ms", "20", "batch.size", "1048576"))) {
            for (int i = 0; i < EACH; i++) {
                producer.send(new ProducerRecord<>(topic, null, ("{\"id\": " + i + "}")
                        .getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(topic, null, bad));
            }
            producer.flush();
        }
        Files.writeString(dir.resolve("click.avsc"), """
                {"type": "record", "name": "Click", "fields": [{"name": "id", "type": "long"}]}""");
        String location = dir.resolve("clicks").toUri().toString();
        int consolePort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            consolePort = free.getLocalPort();
        }
        Path config = new ApplianceYaml().pipeline("clicks")
                .set("format", "json")
                .set("value-schema-file", "click.avsc")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                .set("table.location", location)
                .set("trigger.interval", "1s")
                .set("compaction.enabled", false)
                .and().console("host", "127.0.0.1").console("port", consolePort)
                .write(dir.resolve("appliance.yaml"));
        Path log = Path.of("target", "memory-bound.log").toAbsolutePath();
        Path gcLog = Path.of("target", "memory-bound-gc.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Files.deleteIfExists(gcLog);
        // The script's default JVM options (which exit on an OutOfMemoryError), plus a GC log to measure the peak.
        Process appliance = ApplianceProcess.startInstalledAdding("-Xlog:gc:file=" + gcLog, config, log);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.concurrent.atomic.AtomicLong consoleAnswers = new java.util.concurrent.atomic.AtomicLong();
        try {
            LakeTable table = LakeTable.open(TableOptions.builder(location).build());
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
                // What an open console page asks for, every half second.
                for (String path : new String[] {"/api/overview", "/api/tables/clicks", "/metrics"}) {
                    try {
                        java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + consolePort + path))
                                .timeout(Duration.ofSeconds(10)).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200) {
                            consoleAnswers.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        // not up yet, or gone: the liveness check below tells
                    }
                }
                return !appliance.isAlive() || table.exists() && offsetsCommitted(table, topic) == 2L * EACH;
            });
            assertThat(appliance.isAlive()).as("no OutOfMemoryError; see " + log).isTrue();
            String tableView = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + consolePort + "/api/tables/clicks")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            await().atMost(Duration.ofSeconds(30)).until(() -> http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + consolePort + "/api/tables/clicks")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body().contains("\"INVALID_JSON\":" + EACH));
            assertThat(tableView).contains("INVALID_JSON");
        } finally {
            appliance.destroy();
            appliance.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(consoleAnswers.get()).as("the console answered while the backlog was ingested").isGreaterThan(30);
        long[] peak = peakHeapMiB(gcLog);
        System.out.printf("memory bound: %,d good + %,d undecodable 64 KiB records through a 512 MiB heap: peak heap "
                + "%d MiB before a collection, at most %d MiB after one%n", EACH, EACH, peak[0], peak[1]);
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        assertThat(KernelReader.read(location).rows()).hasSize(EACH);
        // Counted from the table's statistics: reading 1.9 GB of letters back is not the point here.
        LakeTable deadLetters = LakeTable.open(TableOptions.builder(location + "_dead_letters").build());
        assertThat(deadLetters.snapshot().totalRecords()).isEqualTo(EACH);

        // A replay of the whole backlog through the same heap: the letters are read a part at a time (they still
        // fail, as their bytes are still not JSON). It read every letter with its payload at once before.
        Path replayLog = Path.of("target", "memory-bound-replay.log").toAbsolutePath();
        Files.deleteIfExists(replayLog);
        long replayStart = System.nanoTime();
        int exit = ApplianceProcess.runToExit(replayLog, "dead-letters", "replay", "--config", config.toString(),
                "--pipeline", "clicks");
        System.out.printf("memory bound: replay of %,d letters of 64 KiB through a 512 MiB heap: exit %d in %.1f s%n",
                EACH, exit, (System.nanoTime() - replayStart) / 1e9);
        String replayed = Files.readString(replayLog);
        assertThat(exit).as(replayed).isZero();
        assertThat(replayed).doesNotContain("OutOfMemoryError")
                .containsPattern("still failing: INVALID_JSON +" + EACH);
    }

    private static long offsetsCommitted(LakeTable table, String topic) {
        long sum = 0;
        for (int p = 0; p < 2; p++) {
            sum += Math.max(0, table.txnVersion(new OffsetRange(topic, p, 0, 0).appId("clicks")));
        }
        return sum;
    }

    /**
     * The largest heap occupancy before and after a collection, from the unified GC log ({@code 300M->120M(512M)}):
     * before is what the heap filled to, after what a collection left (young collections leave the old
     * generation as it is).
     */
    private static long[] peakHeapMiB(Path gcLog) throws Exception {
        long before = 0;
        long after = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            while (m.find()) {
                before = Math.max(before, Long.parseLong(m.group(1)));
                after = Math.max(after, Long.parseLong(m.group(2)));
            }
        }
        return new long[] {before, after};
    }
}
