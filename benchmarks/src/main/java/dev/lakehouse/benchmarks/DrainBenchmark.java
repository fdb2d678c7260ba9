package dev.lakehouse.benchmarks;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A topic drained by the appliance as an operator runs it: {@code bin/lakehouse run} of the built app directory,
 * in its own process with the script's default JVM options, a fixed instance id, Avro through the registry, a new
 * local table and a 1 s trigger. The clock starts when the process is launched and stops when the table's log
 * holds every record's offset; the log is followed from this process by reading its entries as they appear.
 *
 * <p>Prints launch to first commit, launch to last commit, records/s and MB/s end to end and after the first
 * commit, commit intervals, peak RSS, CPU used (as a share of the cores it may use) and heap from the GC log.
 *
 * <p>Options: {@code drain.records} (5,000,000), {@code drain.partitions} (3), {@code drain.cpus} (a taskset CPU
 * list such as {@code 0} or {@code 0,1}; unpinned by default), {@code drain.mode} ({@code run}, the continuous
 * service with its console and maintenance, or {@code once}, a catch-up run that exits at the end offsets),
 * {@code catch-up}: the continuous service drains the topic, is stopped with SIGTERM, as many records again arrive
 * while it is down, and the same service started again catches up that backlog; both drains are printed with their
 * batch sizes, since a backlog must make batches larger, never smaller),
 * {@code drain.runs} (1: the topic is filled once and drained into a new table that many times), {@code
 * drain.java-opts} (JVM options in place of the script's defaults, options separated by commas, variants by {@code ;}, each drained in
 * turn; {@code default} stands for the script's own), {@code drain.warm-broker} (true: the broker serves a consumer
 * group of its own before the first drain, as a broker in service has; false measures a broker's first consumer,
 * see {@link BrokerWarmUp}).
 */
final class DrainBenchmark {

    private static final String TOPIC = "orders";

    private DrainBenchmark() {
    }

    static void run() {
        long records = Long.getLong("drain.records", 5_000_000);
        int partitions = Integer.getInteger("drain.partitions", 3);
        String cpus = System.getProperty("drain.cpus");
        String mode = System.getProperty("drain.mode", "run");
        int runs = Integer.getInteger("drain.runs", 1);
        // Each variant is drained in turn; "default" is the script's own options. Options within a variant are
        // separated by commas, because the benchmark's own options are separated by spaces.
        List<String> javaOptions = java.util.Arrays.stream(System.getProperty("drain.java-opts", "default")
                .split(";")).map(v -> v.replace(',', ' ')).toList();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            kafka.createTopic(TOPIC, partitions);
            long fillStart = System.nanoTime();
            boolean nested = System.getProperty("drain.schema", "flat").equals("nested");
            long kafkaBytes = OrderTopic.fill(kafka.bootstrapServers(), registry, TOPIC, records, nested);
            System.out.printf("filled topic '%s' (%d partitions) with %s orders: %,d records, %,.1f MB in %.1f s%n",
                    TOPIC, partitions, nested ? "nested" : "flat", records, kafkaBytes / 1e6,
                    (System.nanoTime() - fillStart) / 1e9);
            if (warmBroker()) {
                BrokerWarmUp.readOnce(kafka.bootstrapServers(), TOPIC);
            }
            int run = 0;
            for (int i = 1; i <= runs; i++) {
                for (String javaOpts : javaOptions) {
                    if (mode.equals("catch-up")) {
                        catchUp(kafka, registryServer, registry, records, partitions, kafkaBytes, cpus, ++run,
                                javaOpts, nested);
                    } else {
                        drainOnce(kafka, registryServer, records, partitions, kafkaBytes, cpus, mode, ++run,
                                javaOpts);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code drain.warm-broker}: whether the broker serves a consumer group before the first drain ({@link BrokerWarmUp}). */
    static boolean warmBroker() {
        return Boolean.parseBoolean(System.getProperty("drain.warm-broker", "true"));
    }

    /** What one drain measured (launch to first and to last commit, peak RSS, CPU seconds), and its table. */
    record Drain(Path table, double firstCommitSeconds, double lastCommitSeconds, long peakRssMb, double cpuSeconds) {
    }

    /** Drains the filled topic into a new table with a new consumer group, prints its report and returns it. */
    static Drain drainOnce(LocalKafkaBroker kafka, SchemaRegistryServer registry, long records, int partitions,
                           long kafkaBytes, String cpus, String mode, int run, String javaOpts)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("drain-bench");
        Path table = work.resolve("orders");
        Path config = work.resolve("lakehouse.yaml");
        // A new pipeline name per run: a new consumer group, so each run starts from the earliest offsets.
        String pipeline = "drain" + run;
        BenchmarkConfig.write(config, pipeline, kafka.bootstrapServers(), TOPIC, registry.url(), table);
        List<String> appIds = IntStream.range(0, partitions).mapToObj(p -> pipeline + "/" + TOPIC + "/" + p)
                .toList();
        DeltaLogTail tail = new DeltaLogTail(table);
        List<DeltaLogTail.Commit> commits = new ArrayList<>();
        String[] args = mode.equals("once") ? new String[] {"run", "--config", config.toString(), "--once"}
                : new String[] {"run", "--config", config.toString()};
        long lastCommitNanos;
        double cpuSeconds;
        long peakRss;
        String heap;
        try (InstalledAppliance appliance = InstalledAppliance.launch(cpus,
                javaOpts.equals("default") ? null : javaOpts, work, args)) {
            while (tail.committed(appIds) < records) {
                commits.addAll(tail.poll());
                if (!appliance.process().isAlive() && tail.committed(appIds) < records) {
                    commits.addAll(tail.poll());
                    if (tail.committed(appIds) < records) {
                        throw new IllegalStateException("the appliance exited with " + appliance.process()
                                .exitValue() + " before the table held every record; see " + work
                                .resolve("appliance.log"));
                    }
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
            lastCommitNanos = commits.get(commits.size() - 1).seenNanos();
            if (mode.equals("once")) {
                appliance.waitFor();
            }
            cpuSeconds = appliance.cpuSeconds();
            peakRss = appliance.peakRssMb();
            heap = appliance.heapSummary();
            long launched = appliance.launchedNanos();
            System.out.println("JVM options: " + javaOpts);
            return report(table, run, mode, cpus, records, kafkaBytes, commits, launched, lastCommitNanos, cpuSeconds,
                    peakRss, heap, mode.equals("once") ? (System.nanoTime() - launched) / 1e9 : Double.NaN);
        }
    }

    /**
     * A cold drain by the continuous service, then a catch-up: the service is stopped (SIGTERM, committing its open
     * batches), as many records again arrive, and the service started again with the same configuration drains
     * the backlog. Prints both drains' rates and batch sizes.
     */
    private static void catchUp(LocalKafkaBroker kafka, SchemaRegistryServer registryServer,
                                SchemaRegistryClient registry, long records, int partitions, long kafkaBytes,
                                String cpus, int run, String javaOpts, boolean nested)
            throws IOException, InterruptedException {
        Drain cold = drainOnce(kafka, registryServer, records, partitions, kafkaBytes, cpus, "run", run, javaOpts);
        String pipeline = "drain" + run;
        List<String> appIds = IntStream.range(0, partitions).mapToObj(p -> pipeline + "/" + TOPIC + "/" + p)
                .toList();
        System.out.println("  batches of the cold drain: " + batchSizes(cold.table(), appIds, 0));
        long backlog = OrderTopic.fill(kafka.bootstrapServers(), registry, TOPIC, records, nested);
        Path work = cold.table().getParent();
        DeltaLogTail tail = new DeltaLogTail(cold.table());
        tail.poll();
        long versionBefore = tail.nextVersion();
        long target = 2 * records;
        try (InstalledAppliance appliance = InstalledAppliance.launch(cpus,
                javaOpts.equals("default") ? null : javaOpts, Files.createDirectories(work.resolve("restart")),
                "run", "--config", work.resolve("lakehouse.yaml").toString())) {
            long first = -1;
            long last = -1;
            while (tail.committed(appIds) < target) {
                for (DeltaLogTail.Commit commit : tail.poll()) {
                    if (!commit.nextOffsets().isEmpty()) {
                        first = first < 0 ? commit.seenNanos() : first;
                        last = commit.seenNanos();
                    }
                }
                if (!appliance.process().isAlive()) {
                    throw new IllegalStateException("the restarted appliance exited; see " + work.resolve("restart"));
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
            double firstSeconds = (first - appliance.launchedNanos()) / 1e9;
            double lastSeconds = (last - appliance.launchedNanos()) / 1e9;
            System.out.printf("catch-up after a restart: %,d records (%.1f MB) that arrived while it was down; launch "
                            + "to first commit %.2f s, to last %.2f s: %,.0f records/s end to end (the cold drain: "
                            + "%,.0f records/s); peak RSS %,d MB, CPU %.1f s%n", records, backlog / 1e6, firstSeconds,
                    lastSeconds, records / lastSeconds, records / cold.lastCommitSeconds(), appliance.peakRssMb(),
                    appliance.cpuSeconds());
            System.out.println("  batches of the catch-up: " + batchSizes(cold.table(), appIds, versionBefore));
        }
    }

    /** Records per batch commit from {@code fromVersion} on: how many, and their smallest, median and largest. */
    private static String batchSizes(Path table, List<String> appIds, long fromVersion) {
        DeltaLogTail tail = new DeltaLogTail(table);
        java.util.Map<String, Long> previous = new java.util.HashMap<>();
        List<Long> sizes = new ArrayList<>();
        for (DeltaLogTail.Commit commit : tail.poll()) {
            long size = 0;
            for (String appId : appIds) {
                Long next = commit.nextOffsets().get(appId);
                if (next != null) {
                    size += next - previous.getOrDefault(appId, 0L);
                    previous.put(appId, next);
                }
            }
            if (commit.version() >= fromVersion && size > 0) {
                sizes.add(size);
            }
        }
        if (sizes.isEmpty()) {
            return "none";
        }
        List<Long> sorted = sizes.stream().sorted().toList();
        return String.format("%d commits, records per batch min %,d, median %,d, max %,d; %d of at most 1,024",
                sorted.size(), sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                sorted.stream().filter(n -> n <= 1_024).count());
    }

    private static Drain report(Path table, int run, String mode, String cpus, long records, long kafkaBytes,
                               List<DeltaLogTail.Commit> commits, long launched, long lastCommitNanos,
                               double cpuSeconds, long peakRss, String heap, double exitSeconds) {
        List<DeltaLogTail.Commit> batches = commits.stream().filter(c -> !c.nextOffsets().isEmpty()).toList();
        double first = (batches.get(0).seenNanos() - launched) / 1e9;
        double last = (lastCommitNanos - launched) / 1e9;
        long firstBatchRecords = batches.get(0).nextOffsets().values().stream().mapToLong(Long::longValue).sum();
        int cores = cpus == null ? Runtime.getRuntime().availableProcessors() : cpus.split(",").length;
        System.out.printf("run %d (%s, %s): launch to first commit %.2f s, launch to last commit %.2f s%s%n", run,
                mode, cpus == null ? "unpinned" : "taskset -c " + cpus, first, last,
                Double.isNaN(exitSeconds) ? "" : String.format(", launch to exit %.2f s", exitSeconds));
        System.out.printf("  %,.0f records/s and %.1f MB/s of Kafka payload end to end; %,.0f records/s after the "
                        + "first commit; %d batch commits%n", records / last, kafkaBytes / last / 1e6,
                (records - firstBatchRecords) / (last - first), batches.size());
        System.out.printf("  peak RSS %,d MB; CPU %.1f s = %.0f%% of %d core(s) over the drain (%,.0f records per "
                        + "CPU second); %s%n", peakRss, cpuSeconds, 100 * cpuSeconds / last / cores, cores,
                records / cpuSeconds, heap);
        return new Drain(table, first, last, peakRss, cpuSeconds);
    }
}
