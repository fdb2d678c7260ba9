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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The appliance and Spark Structured Streaming side by side on one topic in one run: the topic is filled once,
 * drained by {@code bin/lakehouse run} (as {@link DrainBenchmark} does), then by Spark 4 with delta-spark
 * ({@code local[2]}, {@code Trigger.AvailableNow}, {@code from_avro} after the Confluent header) in its own JVM
 * from the {@code peer-spark} module; then Spark reads both tables and checks they hold the same rows and give the
 * same answer to an aggregate query. Prints both drains' times from process launch, records/s, peak RSS and CPU,
 * and the ratios. Exits with an error when the tables differ.
 *
 * <p>Options: {@code drain.records} (5,000,000), {@code drain.partitions} (3), {@code peer.spark.home} (the
 * {@code peer-spark} module's {@code target} directory), {@code peer.spark.heap} (1g: {@code spark-submit}'s
 * default driver memory, since the peer runs as a plain JVM), {@code drain.warm-broker} (true: both peers meet a
 * broker that has served a consumer group before, see {@link BrokerWarmUp}).
 */
final class SparkComparisonBenchmark {

    private static final String TOPIC = "orders";
    private static final Pattern PEER_LINE = Pattern.compile(
            "session-seconds=([\\d.]+) query-seconds=([\\d.]+) rows=(\\d+)");
    /** What Spark's launcher adds for Java 17 (its JavaModuleOptions): Spark reflects into these packages. */
    private static final List<String> SPARK_JAVA_17_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    private SparkComparisonBenchmark() {
    }

    /** The peer's drain as measured from this process. */
    private record PeerDrain(double launchToExitSeconds, double sessionSeconds, double querySeconds, long rows,
                             long peakRssMb, double cpuSeconds) {
    }

    static void run() {
        long records = Long.getLong("drain.records", 5_000_000);
        int partitions = Integer.getInteger("drain.partitions", 3);
        Path peerHome = peerHome();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            kafka.createTopic(TOPIC, partitions);
            long kafkaBytes = OrderTopic.fill(kafka.bootstrapServers(), registry, TOPIC, records);
            System.out.printf("filled topic '%s' (%d partitions): %,d records, %,.1f MB%n", TOPIC, partitions,
                    records, kafkaBytes / 1e6);
            if (DrainBenchmark.warmBroker()) {
                // Otherwise the appliance, which drains first, would meet a broker that has never served a fetch
                // and Spark one that has.
                BrokerWarmUp.readOnce(kafka.bootstrapServers(), TOPIC);
            }

            System.out.println("== the appliance: bin/lakehouse run, default JVM options, 1 s trigger");
            DrainBenchmark.Drain appliance = DrainBenchmark.drainOnce(kafka, registryServer, records, partitions,
                    kafkaBytes, null, "run", 1, "default");

            System.out.println("== Spark " + "Structured Streaming + delta-spark, local[2], Trigger.AvailableNow");
            Path work = Files.createTempDirectory("spark-peer");
            Path sparkTable = work.resolve("orders");
            PeerDrain spark = drainWithSpark(peerHome, work, kafka.bootstrapServers(), sparkTable);
            System.out.printf("  launch to exit %.2f s (session built in %.2f s, query %.2f s); %,d rows; %,.0f "
                            + "records/s from launch, %,.0f from query start; peak RSS %,d MB; CPU %.1f s%n",
                    spark.launchToExitSeconds(), spark.sessionSeconds(), spark.querySeconds(), spark.rows(),
                    records / spark.launchToExitSeconds(), records / spark.querySeconds(), spark.peakRssMb(),
                    spark.cpuSeconds());
            if (spark.rows() != records) {
                throw new IllegalStateException("Spark read " + spark.rows() + " rows, expected " + records);
            }

            System.out.println("== both tables read back by Spark");
            int compared = runPeer(peerHome, work, "compare.log", "compare", sparkTable.toString(),
                    appliance.table().toString()).waitFor();
            Files.readAllLines(work.resolve("compare.log")).stream().filter(l -> !l.matches("^\\d\\d:\\d\\d.*"))
                    .forEach(l -> System.out.println("  " + l));
            if (compared != 0) {
                throw new IllegalStateException("the tables differ (exit " + compared + "); see "
                        + work.resolve("compare.log"));
            }

            System.out.println("== summary");
            System.out.printf("  appliance: %.2f s from launch to last commit (%,.0f records/s), peak RSS %,d MB, CPU"
                            + " %.1f s%n", appliance.lastCommitSeconds(), records / appliance.lastCommitSeconds(),
                    appliance.peakRssMb(), appliance.cpuSeconds());
            System.out.printf("  Spark:     %.2f s from launch to exit (%,.0f records/s), %.2f s from query start "
                            + "(%,.0f records/s), peak RSS %,d MB, CPU %.1f s%n", spark.launchToExitSeconds(),
                    records / spark.launchToExitSeconds(), spark.querySeconds(), records / spark.querySeconds(),
                    spark.peakRssMb(), spark.cpuSeconds());
            System.out.printf("  the appliance drains %.2f times as fast from launch (%.2f times Spark's query time"
                            + " alone) in %.2f times Spark's memory and %.2f times its CPU%n",
                    spark.launchToExitSeconds() / appliance.lastCommitSeconds(),
                    spark.querySeconds() / appliance.lastCommitSeconds(),
                    appliance.peakRssMb() / (double) spark.peakRssMb(), appliance.cpuSeconds() / spark.cpuSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PeerDrain drainWithSpark(Path peerHome, Path work, String bootstrap, Path table)
            throws IOException, InterruptedException {
        Path schema = Files.writeString(work.resolve("order.avsc"), DeserializationBenchmark.orderV1().toString());
        long launched = System.nanoTime();
        Process process = runPeer(peerHome, work, "drain.log", "drain", bootstrap, TOPIC, schema.toString(),
                table.toString(), work.resolve("checkpoint").toString());
        ProcessSampler sampler = ProcessSampler.start(process);
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - launched) / 1e9;
        sampler.join();
        String log = Files.readString(work.resolve("drain.log"));
        Matcher m = PEER_LINE.matcher(log);
        if (exit != 0 || !m.find()) {
            throw new IllegalStateException("the Spark peer failed (exit " + exit + "); see "
                    + work.resolve("drain.log"));
        }
        return new PeerDrain(seconds, Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Long.parseLong(m.group(3)), sampler.peakRssMb(), sampler.cpuSeconds());
    }

    /** The peer-spark module's {@code target} directory ({@code peer.spark.home}), checked to hold the peer. */
    static Path peerHome() {
        Path peerHome = Path.of(System.getProperty("peer.spark.home", "../peer-spark/target")).toAbsolutePath()
                .normalize();
        if (!Files.isRegularFile(peerHome.resolve("peer-spark.jar"))) {
            throw new IllegalStateException(peerHome.resolve("peer-spark.jar") + " is missing: run the benchmark"
                    + " with -am, which builds the peer-spark module");
        }
        return peerHome;
    }

    static Process runPeer(Path peerHome, Path work, String logName, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + System.getProperty("peer.spark.heap", "1g"));
        command.addAll(SPARK_JAVA_17_OPTIONS);
        command.addAll(List.of("-cp", peerHome.resolve("peer-spark.jar") + java.io.File.pathSeparator
                + peerHome.resolve("lib") + "/*", "dev.lakehouse.peer.spark.SparkDeltaPeer"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(logName).toFile()).start();
    }
}
