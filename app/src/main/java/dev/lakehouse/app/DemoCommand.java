package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.config.Units;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.ingest.RunningPipeline;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.TableSnapshot;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse demo}: the whole appliance on one machine with nothing installed. Starts a Kafka broker in its
 * own JVM, the local schema registry, a generator of Avro orders at a steady rate, and a pipeline into a Delta
 * table under the data directory. Ctrl-C stops everything (the broker JVM included). Data is kept between runs:
 * a second run continues the same topic and table.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs a local broker, registry, order generator and pipeline into ./lakehouse-data.")
final class DemoCommand implements Callable<Integer> {

    static final String TOPIC = "orders";

    @Option(names = "--data-dir", defaultValue = "lakehouse-data", description = "Where everything is kept (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--rate", defaultValue = "500", description = "Orders per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the orders topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--trigger", defaultValue = "5s", description = "Batch interval (default: ${DEFAULT-VALUE}).")
    String trigger;

    @Option(names = "--console-port", defaultValue = "8080",
            description = "Port of the web console on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int consolePort;

    @Option(names = "--duration", description = "Stop by itself after this long (for example 60s); default: until Ctrl-C.")
    String duration;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        out.println("Starting the demo in " + dir + " (Kafka broker, schema registry, order generator, pipeline)...");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        try (LocalKafkaBroker broker = LocalKafkaBroker.builder().dataDir(dir.resolve("kafka")).start();
             SchemaRegistryServer registry = SchemaRegistryServer.builder().port(0)
                     .storeFile(dir.resolve("registry").resolve("schemas.json")).start();
             SchemaRegistryClient registryClient = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registry.url()).build())) {
            createTopicIfMissing(broker);
            Path configFile = writeConfig(dir, broker.bootstrapServers(), registry.url());
            ApplianceConfig config = ConfigLoader.load(configFile);
            Appliance appliance = Appliance.create(config);
            RunningPipeline pipeline = appliance.pipelines().get(0);
            // Order ids continue across runs: one record per offset, so the topic's size is the next id.
            long firstId = recordsInTopic(broker);
            OrderGenerator generator = new OrderGenerator(broker.bootstrapServers(), registryClient, TOPIC,
                    firstId, Clock.systemUTC());
            Thread producing = new Thread(() -> {
                try {
                    generator.runAtRate(rate);
                } catch (RuntimeException e) {
                    out.println("The order generator stopped: " + e.getMessage());
                    out.flush();
                }
            }, "demo-order-generator");
            Thread hook = new Thread(() -> {
                out.println("\nStopping the demo...");
                out.flush();
                producing.interrupt();
                RunCommand.stopGracefully(appliance);
                stopped.countDown();
            }, "demo-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            appliance.start();
            producing.start();
            printBanner(out, dir, configFile, pipeline, broker, registry,
                    appliance.console().map(c -> c.url().toString()).orElse("(disabled)"));
            long deadline = duration == null ? Long.MAX_VALUE
                    : System.nanoTime() + Units.parseDuration(duration).toNanos();
            while (!stopped.await(10, TimeUnit.SECONDS)) {
                printStatus(out, pipeline);
                if (System.nanoTime() >= deadline) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    hook.run();
                }
            }
            producing.join(5_000);
            generator.close();
            printStatus(out, pipeline);
            return appliance.anyFailed() ? 1 : 0;
        }
    }

    private void createTopicIfMissing(LocalKafkaBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!topics.contains(TOPIC)) {
                broker.createTopic(TOPIC, partitions);
            }
        }
    }

    private static long recordsInTopic(LocalKafkaBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            var partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(TOPIC).partitions();
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            partitions.forEach(p -> query.put(new TopicPartition(TOPIC, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(query).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    private Path writeConfig(Path dir, String bootstrapServers, String registryUrl) throws Exception {
        Path file = dir.resolve("demo.yaml");
        ApplianceYaml yaml = new ApplianceYaml();
        yaml.pipeline("orders")
                .set("source.bootstrap-servers", bootstrapServers)
                .set("source.topics", List.of(TOPIC))
                .set("source.starting-position", "earliest")
                .set("format", "avro")
                .set("registry.url", registryUrl)
                .set("table.location", dir.resolve("tables").resolve("orders").toUri().toString())
                .set("table.partition-by", List.of("day(created_at) as order_date"))
                .set("table.target-file-size", "16MB")
                .set("trigger.interval", trigger)
                .set("trigger.max-records", 200_000)
                .set("compaction.schedule", "2m");
        yaml.console("host", "127.0.0.1").console("port", consolePort);
        return yaml.write(file, "Written by `lakehouse demo` for this run (the broker and registry ports change between runs).",
                "The same file works with `lakehouse run --config " + file + "` while the demo's broker is up.");
    }

    private static void printBanner(PrintWriter out, Path dir, Path configFile, RunningPipeline pipeline,
                                    LocalKafkaBroker broker, SchemaRegistryServer registry, String consoleUrl) {
        String table = pipeline.table().location();
        String path = Path.of(java.net.URI.create(table)).toString();
        out.println();
        out.println("  Kafka broker     " + broker.bootstrapServers() + "   (topic '" + TOPIC + "', data in " + dir.resolve("kafka") + ")");
        out.println("  Schema registry  " + registry.url());
        out.println("  Pipeline config  " + configFile);
        out.println("  Delta table      " + table);
        out.println("  Web console      " + consoleUrl + "   (read-only; metrics at " + consoleUrl + "metrics)");
        out.println();
        out.println("  Query it while it grows, for example with DuckDB:");
        out.println("    duckdb -c \"INSTALL delta; LOAD delta; SELECT country, count(*), sum(amount) FROM delta_scan('"
                + path + "') GROUP BY 1 ORDER BY 2 DESC\"");
        out.println("  or with Spark (delta-spark): spark.read.format(\"delta\").load(\"" + path + "\")");
        out.println();
        out.println("  Ctrl-C stops everything; a new run continues the same topic and table.");
        out.println();
        out.flush();
    }

    private static void printStatus(PrintWriter out, RunningPipeline pipeline) {
        PipelineStatus status = pipeline.status();
        String table = "";
        if (pipeline.table().exists()) {
            TableSnapshot snapshot = pipeline.table().snapshot();
            table = ", table version " + snapshot.version() + ", " + snapshot.totalRecords() + " rows in "
                    + snapshot.files().size() + " files";
        }
        out.println("[" + status.pipeline() + "] " + status.state().name().toLowerCase() + table + ", lag "
                + status.totalLag() + (status.error() != null ? ", error: " + status.error() : ""));
        out.flush();
    }
}
