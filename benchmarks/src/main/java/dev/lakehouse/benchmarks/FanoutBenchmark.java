package dev.lakehouse.benchmarks;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Many topics, a table each, from one appliance: the same total of orders spread over {@code fanout.topics} topics
 * (a list, default {@code 1,10,50}; one partition each), one pipeline with a topic pattern and a {@code {topic}}
 * table location, the default JVM options and the console on. For each count: {@code run --once} launch to exit,
 * records/s, peak RSS, peak threads and CPU, every table checked to hold its topic's orders; then {@code run} on the
 * same, caught-up topics: how long until every topic's partition is assigned (from its log), then the CPU it uses
 * while nothing arrives over {@code fanout.idle-seconds} (20) and its threads.
 *
 * Then, with the run still going, as many orders again to every topic ({@code fanout.more} each, by default the same
 * total again): how long after the end of production until every table holds them.
 *
 * <p>Options: {@code fanout.topics}, {@code fanout.records} (200,000 in all), {@code fanout.idle-seconds},
 * {@code fanout.more}.
 */
final class FanoutBenchmark {

    private FanoutBenchmark() {
    }

    static void run() {
        long total = Long.getLong("fanout.records", 200_000);
        int idleSeconds = Integer.getInteger("fanout.idle-seconds", 20);
        long more = Long.getLong("fanout.more", -1);
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            for (String count : System.getProperty("fanout.topics", "1,10,50").split(",")) {
                int topics = Integer.parseInt(count.trim());
                measure(kafka, registryServer, registry, topics, total, idleSeconds,
                        more >= 0 ? more : total / topics);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void measure(LocalKafkaBroker kafka, SchemaRegistryServer registryServer,
                                SchemaRegistryClient registry, int topics, long total, int idleSeconds, long more)
            throws IOException, InterruptedException {
        String prefix = "fan" + topics;
        long perTopic = total / topics;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < topics; i++) {
            names.add(prefix + "-" + i);
        }
        kafka.createTopics(names, 1);
        try (KafkaProducer<byte[], byte[]> producer = OrderTopic.fastProducer(kafka.bootstrapServers())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
            for (String topic : names) {
                OrderTopic.fill(producer, serializer, topic, perTopic, false);
            }
            producer.flush();
            OrderTopic.checkSent();
        }
        Path work = Files.createTempDirectory("fanout-bench");
        Path tables = work.resolve("tables");
        ApplianceYaml yaml = new ApplianceYaml();
        yaml.pipeline("fan").set("instance-id", "bench-1")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topic-pattern", prefix + "-[0-9]+")
                // A group per count: the previous count's run left its static members in its own group.
                .set("source.group-id", "fanout-" + prefix)
                .set("source.starting-position", "earliest")
                .set("registry.url", registryServer.url())
                .set("table.location", tables.toUri() + "/{topic}")
                .set("trigger.interval", "1s");
        Path config = yaml.console("host", "127.0.0.1").console("port", 0).write(work.resolve("lakehouse.yaml"));

        long launched = System.nanoTime();
        int exit;
        long peakRss;
        int peakThreads;
        double cpu;
        try (InstalledAppliance once = InstalledAppliance.launch(null, null, work, "run", "--config",
                config.toString(), "--once")) {
            exit = once.waitFor();
            peakRss = once.peakRssMb();
            peakThreads = once.peakThreads();
            cpu = once.cpuSeconds();
        }
        double seconds = (System.nanoTime() - launched) / 1e9;
        // Kept for reading afterwards: the run below writes a log of its own.
        Files.move(work.resolve("appliance.log"), work.resolve("once.log"));
        long rows = 0;
        int incomplete = 0;
        for (int i = 0; i < topics; i++) {
            LakeTable table = LakeTable.open(TableOptions.builder(tables.resolve(prefix + "-" + i).toUri().toString())
                    .build());
            long held = table.exists() ? table.snapshot().totalRecords() : 0;
            rows += held;
            incomplete += held == perTopic ? 0 : 1;
        }
        System.out.printf("fanout %,d topics x %,d orders: run --once exit %d after %.1f s (%,.0f records/s), peak RSS "
                        + "%,d MB, peak threads %d, CPU %.1f s; %,d rows in the tables, %d tables short%n", topics,
                perTopic, exit, seconds, topics * perTopic / seconds, peakRss, peakThreads, cpu, rows, incomplete);

        long started = System.nanoTime();
        try (InstalledAppliance running = InstalledAppliance.launch(null, null, work, "run", "--config",
                config.toString())) {
            Path log = work.resolve("appliance.log");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (assigned(log) < topics && System.nanoTime() < deadline && running.process().isAlive()) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            double ready = (System.nanoTime() - started) / 1e9;
            TimeUnit.SECONDS.sleep(5); // first commits of the caught-up tables, start-up compilation
            double cpuBefore = running.cpuSeconds();
            long idleStart = System.nanoTime();
            TimeUnit.SECONDS.sleep(idleSeconds);
            double idleCpu = running.cpuSeconds() - cpuBefore;
            double window = (System.nanoTime() - idleStart) / 1e9;
            System.out.printf("fanout %,d topics: run has every partition assigned %.1f s after launch (%d of %d); "
                            + "idle: %.1f %% of one core over %.0f s, %d threads, RSS peak %,d MB%n", topics, ready,
                    assigned(log), topics, 100 * idleCpu / window, window, running.threads(), running.peakRssMb());
            System.out.println("  threads by name: " + running.threadsByName().entrySet().stream().limit(8)
                    .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
            if (more > 0) {
                measureMore(kafka, registry, tables, names, perTopic, more, running);
            }
        }
    }

    /**
     * Then {@code more} orders to every topic, produced as fast as one producer sends them: how long after the end of
     * production until every table holds them (each table read until it does).
     */
    private static void measureMore(LocalKafkaBroker kafka, SchemaRegistryClient registry, Path tables,
                                    List<String> names, long perTopic, long more, InstalledAppliance running)
            throws InterruptedException {
        long producing = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = OrderTopic.fastProducer(kafka.bootstrapServers())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
            for (String topic : names) {
                OrderTopic.fill(producer, serializer, topic, more, false);
            }
            producer.flush();
            OrderTopic.checkSent();
        }
        long produced = System.nanoTime();
        List<LakeTable> waiting = new ArrayList<>();
        for (String topic : names) {
            waiting.add(LakeTable.open(TableOptions.builder(tables.resolve(topic).toUri().toString()).build()));
        }
        long deadline = produced + TimeUnit.MINUTES.toNanos(5);
        while (!waiting.isEmpty() && System.nanoTime() < deadline && running.process().isAlive()) {
            waiting.removeIf(table -> table.snapshot().totalRecords() >= perTopic + more);
            if (!waiting.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        long done = System.nanoTime();
        System.out.printf("fanout %,d topics: %,d more orders to each (%,d in %.1f s); every table held them %.1f s "
                        + "after the end of production (%d tables short)%n", names.size(), more, names.size() * more,
                (produced - producing) / 1e9, (done - produced) / 1e9, waiting.size());
    }

    /** How many partitions the run's log says were assigned (one per topic here). */
    private static int assigned(Path log) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        int count = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.contains(": assigned 1 partitions in")) {
                count++;
            }
        }
        return count;
    }
}
