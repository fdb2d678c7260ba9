package dev.lakehouse.benchmarks;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A keyed table under a change stream: {@code bin/lakehouse run} (its own process, default JVM options, a 1 s
 * trigger) with {@code table.mode: upsert} on {@code order_id} first loads a table of {@code upsert.keys} orders,
 * then takes changes at {@code upsert.rate} per second for {@code upsert.seconds}: 75 % updates, 10 % new keys, 15 %
 * deletes (tombstones), the updates and deletes either <em>skewed</em> (90 % hit the newest 1 % of keys, as OLTP
 * tables do) or <em>uniform</em>. Prints the load rate, the changes applied per second, freshness (send to the
 * commit holding the change) p50 and p99, and per batch the files and rows rewritten (the write amplification),
 * with the appliance's CPU and peak RSS.
 *
 * <p>Options: {@code upsert.keys} (1,000,000), {@code upsert.rate} (20,000), {@code upsert.seconds} (60),
 * {@code upsert.distributions} ({@code skewed,uniform}), {@code upsert.cpus} (a taskset CPU list),
 * {@code upsert.file-size} (the table's {@code target-file-size}; default the appliance's), {@code upsert.key-order}
 * ({@code sequential}, or {@code random}: ids in no order of arrival, see {@link UpsertChangeStream#orderId}),
 * {@code upsert.mode} ({@code upsert}, or {@code dedupe}: a dedupe table under 95 % new events and 5 % resent
 * copies, without Spark),
 * {@code upsert.backlog}
 * (300,000: then a backlog of that many changes drained by {@code run --once}, and by Spark Structured Streaming
 * with a {@code foreachBatch} MERGE in batches of the appliance's size unless {@code upsert.spark=false}; 0: none).
 */
final class UpsertBenchmark {

    private static final int PARTITIONS = 3;
    private static final Pattern MERGE = Pattern.compile("\"numInputRows\":(\\d+).*\"merge\":\\{\"inserted\":(\\d+),"
            + "\"updated\":(\\d+),\"deleted\":(\\d+),\"copied\":(\\d+),(?:\"skipped\":\\d+,)?\"filesRewritten\":(\\d+)}");

    private UpsertBenchmark() {
    }

    static void run() {
        int keys = Integer.getInteger("upsert.keys", 1_000_000);
        int rate = Integer.getInteger("upsert.rate", 20_000);
        int seconds = Integer.getInteger("upsert.seconds", 60);
        String cpus = System.getProperty("upsert.cpus");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            for (String distribution : System.getProperty("upsert.distributions", "skewed,uniform").split(",")) {
                measure(kafka, registryServer, registry, distribution.trim(), keys, rate, seconds, cpus);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void measure(LocalKafkaBroker kafka, SchemaRegistryServer registryServer,
                                SchemaRegistryClient registry, String distribution, int keys, int rate, int seconds,
                                String cpus) throws IOException, InterruptedException {
        String topic = "upsert-" + distribution;
        kafka.createTopic(topic, PARTITIONS);
        Path work = Files.createTempDirectory("upsert-bench");
        Path table = work.resolve(topic);
        String pipeline = "upsert";
        Path config = BenchmarkConfig.write(work.resolve("lakehouse.yaml"), pipeline, kafka.bootstrapServers(), topic,
                registryServer.url(), table, p -> {
                    p.set("table.mode", System.getProperty("upsert.mode", "upsert"))
                            .set("table.key", List.of("order_id"));
                    String fileSize = System.getProperty("upsert.file-size");
                    if (fileSize != null) {
                        p.set("table.target-file-size", fileSize);
                    }
                });
        ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
        GenericRecord order = new GenericData.Record(DeserializationBenchmark.orderV1());
        Random random = new Random(5);
        UpsertChangeStream changes = new UpsertChangeStream(distribution, keys);
        try (KafkaProducer<byte[], byte[]> producer = UpsertChangeStream.producer(kafka)) {
            for (long n = 0; n < keys; n++) {
                long id = UpsertChangeStream.orderId(n);
                DeserializationBenchmark.fillOrder(order, id, n, random);
                producer.send(new ProducerRecord<>(topic, UpsertChangeStream.key(id),
                        serializer.serialize(topic, RecordPart.VALUE, order)));
            }
            producer.flush();
        }
        try (InstalledAppliance appliance = InstalledAppliance.launch(cpus, null, work, "run", "--config",
                config.toString())) {
            DeltaLogTail tail = new DeltaLogTail(table);
            long loadStart = System.nanoTime();
            long[] readable = new long[PARTITIONS];
            while (sum(readable) < keys) {
                advance(tail, pipeline, topic, readable, null, null);
                checkAlive(appliance, work);
                TimeUnit.MILLISECONDS.sleep(20);
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            System.out.printf("upsert, %s: loaded %,d keys in %.1f s from launch (%,.0f rows/s)%n", distribution, keys,
                    loadSeconds, keys / loadSeconds);
            long logLinesBefore = Files.readAllLines(work.resolve("appliance.log")).size();
            long versionAfterLoad = tail.nextVersion();

            // The changes, with each one's send time by partition and offset.
            List<long[]> sendNanos = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                sendNanos.add(new long[Math.max(16, rate * seconds / PARTITIONS * 2)]);
            }
            long[] firstChange = readable.clone();
            long[] produced = new long[PARTITIONS];
            Thread producerThread = new Thread(() -> UpsertChangeStream.produce(kafka, serializer, topic, changes, rate,
                    seconds, sendNanos, firstChange, produced), "upsert-producer");
            long windowStart = System.nanoTime();
            producerThread.start();
            int[] histogram = new int[600_000];
            long measured = 0;
            while (producerThread.isAlive() || sumBelow(readable, firstChange, produced)) {
                measured += advance(tail, pipeline, topic, readable, sendNanos, firstChange, histogram);
                checkAlive(appliance, work);
                TimeUnit.MILLISECONDS.sleep(5);
            }
            double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
            Merges merges = Merges.inLog(work.resolve("appliance.log"), (int) logLinesBefore);
            System.out.printf("upsert, %s: %,d changes applied in %.1f s (%,.0f changes/s, %,d offered per second);"
                            + " send to readable p50 %,d ms, p99 %,d ms%n", distribution, measured, windowSeconds,
                    measured / windowSeconds, rate, Measurement.percentileMillis(histogram, measured, 0.50),
                    Measurement.percentileMillis(histogram, measured, 0.99));
            long batches = Math.max(1, merges.batches());
            System.out.printf("  %,d merges: per batch %,.0f changes, %.1f files rewritten (max %,d), %,.0f rows "
                            + "copied (%.1f copied per change)%n", merges.batches(), merges.changes() / (double) batches,
                    merges.filesRewritten() / (double) batches, merges.maxFilesRewritten(),
                    merges.rowsCopied() / (double) batches,
                    merges.rowsCopied() / (double) Math.max(1, merges.changes()));
            long[] skipping = filesBeforeAndAfterSkipping(table, versionAfterLoad);
            System.out.printf("  files per merge: %.1f in the table, %.1f read for their keys%n",
                    skipping[0] / (double) batches, skipping[1] / (double) batches);
            System.out.printf("  appliance: peak RSS %,d MB, CPU %.1f s; %s%n", appliance.peakRssMb(),
                    appliance.cpuSeconds(), appliance.heapSummary());
        }
        int backlog = Integer.getInteger("upsert.backlog", 300_000);
        if (backlog > 0) {
            backlog(kafka, serializer, topic, changes, backlog, work, config, table, cpus);
        }
    }

    /**
     * Throughput side by side: a backlog of changes drained by {@code bin/lakehouse run --once}, then by Spark
     * Structured Streaming with a {@code foreachBatch} MERGE (delta-spark) in batches of the same size, from a
     * table Spark loads from the same topic up to the backlog; then Spark compares the two tables.
     */
    private static void backlog(LocalKafkaBroker kafka, ConfluentAvroSerializer serializer, String topic,
                                UpsertChangeStream changes, int backlog, Path work, Path config, Path table, String cpus)
            throws IOException, InterruptedException {
        long[] start = endOffsets(kafka, topic);
        try (KafkaProducer<byte[], byte[]> producer = UpsertChangeStream.producer(kafka)) {
            for (int i = 0; i < backlog; i++) {
                producer.send(changes.next(topic, serializer));
            }
            producer.flush();
        }
        long launched = System.nanoTime();
        long peakRss;
        double cpu;
        try (InstalledAppliance appliance = InstalledAppliance.launch(cpus, null, work, "run", "--config",
                config.toString(), "--once")) {
            int exit = appliance.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("run --once exited " + exit + "; see " + work.resolve("appliance.log"));
            }
            peakRss = appliance.peakRssMb();
            cpu = appliance.cpuSeconds();
        }
        double seconds = (System.nanoTime() - launched) / 1e9;
        Merges merges = Merges.inLog(work.resolve("appliance.log"), 0);
        long batches = merges.batches();
        long rows = merges.changes();
        long filesRewritten = merges.filesRewritten();
        if (rows != backlog) {
            throw new IllegalStateException("run --once merged " + rows + " changes, " + backlog + " were produced");
        }
        long perBatch = Math.max(1, rows / Math.max(1, batches));
        System.out.printf("upsert backlog, %s: the appliance (run --once) merged %,d changes in %.1f s from launch "
                        + "(%,.0f changes/s), %,d merges of %,d changes, %.1f files rewritten per merge; peak RSS "
                        + "%,d MB, CPU %.1f s%n", changes.distribution(), backlog, seconds, backlog / seconds, batches,
                perBatch, filesRewritten / (double) Math.max(1, batches), peakRss, cpu);
        if (!Boolean.parseBoolean(System.getProperty("upsert.spark", "true"))
                || "dedupe".equals(System.getProperty("upsert.mode"))) {
            return;
        }
        Path sparkTable = work.resolve("spark-" + topic);
        Path schema = Files.writeString(work.resolve("order.avsc"), DeserializationBenchmark.orderV1().toString());
        StringBuilder offsets = new StringBuilder("{\"" + topic + "\":{");
        for (int p = 0; p < PARTITIONS; p++) {
            offsets.append(p == 0 ? "" : ",").append('"').append(p).append("\":").append(start[p]);
        }
        offsets.append("}}");
        long sparkLaunched = System.nanoTime();
        Process spark = SparkComparisonBenchmark.runPeer(SparkComparisonBenchmark.peerHome(), work, "spark-upsert.log",
                "upsert", kafka.bootstrapServers(), topic, schema.toString(), sparkTable.toString(),
                work.resolve("spark-checkpoint-" + topic).toString(), "order_id", offsets.toString(),
                String.valueOf(perBatch));
        ProcessSampler sampler = ProcessSampler.start(spark);
        int exit = spark.waitFor();
        double sparkSeconds = (System.nanoTime() - sparkLaunched) / 1e9;
        sampler.join();
        Matcher m = SPARK_LINE.matcher(Files.readString(work.resolve("spark-upsert.log")));
        if (exit != 0 || !m.find()) {
            throw new IllegalStateException("the Spark peer failed (exit " + exit + "); see "
                    + work.resolve("spark-upsert.log"));
        }
        double query = Double.parseDouble(m.group(3));
        System.out.printf("upsert backlog, %s: Spark foreachBatch MERGE merged %s changes in %.1f s from query start "
                        + "(%,.0f changes/s; %s micro-batches; table load %.1f s, session %.1f s, launch to exit "
                        + "%.1f s); peak RSS %,d MB, CPU %.1f s%n", changes.distribution(), m.group(4), query,
                backlog / query, m.group(5), Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                sparkSeconds, sampler.peakRssMb(), sampler.cpuSeconds());
        System.out.printf("upsert backlog, %s: the appliance merges %.2f times as fast as Spark's query (launch to "
                + "exit against query time alone)%n", changes.distribution(), query / seconds);
        int compared = SparkComparisonBenchmark.runPeer(SparkComparisonBenchmark.peerHome(), work,
                "spark-compare-" + topic + ".log", "compare", sparkTable.toString(), table.toString()).waitFor();
        Files.readAllLines(work.resolve("spark-compare-" + topic + ".log")).stream()
                .filter(l -> l.startsWith("rows:") || l.startsWith("the tables") || l.startsWith("THE TABLES"))
                .forEach(l -> System.out.println("  " + l));
        if (compared != 0) {
            throw new IllegalStateException("the tables differ; see " + work.resolve("spark-compare-" + topic
                    + ".log"));
        }
    }

    private static final Pattern SPARK_LINE = Pattern.compile("load-seconds=([\\d.]+) session-seconds=([\\d.]+) "
            + "query-seconds=([\\d.]+) rows=(\\d+) batches=(\\d+)");

    private static long[] endOffsets(LocalKafkaBroker kafka, String topic) {
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
                             org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                             kafka.bootstrapServers()), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                             new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new org.apache.kafka.common.TopicPartition(topic, p));
            }
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long[] out = new long[PARTITIONS];
            for (int p = 0; p < PARTITIONS; p++) {
                out[p] = ends.get(partitions.get(p));
            }
            return out;
        }
    }

    private static long advance(DeltaLogTail tail, String pipeline, String topic, long[] readable,
                                List<long[]> sendNanos, long[] firstChange) {
        return advance(tail, pipeline, topic, readable, sendNanos, firstChange, null);
    }

    /** Reads new commits; for each change they made readable, records its freshness. Returns how many. */
    private static long advance(DeltaLogTail tail, String pipeline, String topic, long[] readable,
                                List<long[]> sendNanos, long[] firstChange, int[] histogram) {
        long counted = 0;
        for (DeltaLogTail.Commit commit : tail.poll()) {
            for (int p = 0; p < PARTITIONS; p++) {
                Long next = commit.nextOffsets().get(pipeline + "/" + topic + "/" + p);
                if (next == null) {
                    continue;
                }
                if (histogram != null) {
                    synchronized (sendNanos) {
                        for (long offset = Math.max(readable[p], firstChange[p]); offset < next; offset++) {
                            int index = (int) (offset - firstChange[p]);
                            long sent = index < sendNanos.get(p).length ? sendNanos.get(p)[index] : 0;
                            if (sent > 0) {
                                long millis = Math.max(0, (commit.seenNanos() - sent) / 1_000_000);
                                histogram[(int) Math.min(millis, histogram.length - 1)]++;
                                counted++;
                            }
                        }
                    }
                }
                readable[p] = Math.max(readable[p], next);
            }
        }
        return counted;
    }

    private static boolean sumBelow(long[] readable, long[] firstChange, long[] produced) {
        synchronized (produced) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (readable[p] < Math.max(produced[p], firstChange[p])) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }

    private static final Pattern BEFORE_SKIPPING = Pattern.compile("\"numTargetFilesBeforeSkipping\":\"(\\d+)\"");
    private static final Pattern AFTER_SKIPPING = Pattern.compile("\"numTargetFilesAfterSkipping\":\"(\\d+)\"");

    /** The files live and the files read for their keys, summed over the merges from a version of the log on. */
    private static long[] filesBeforeAndAfterSkipping(Path table, long fromVersion) throws IOException {
        long[] sums = new long[2];
        try (java.util.stream.Stream<Path> commits = Files.list(table.resolve("_delta_log"))) {
            for (Path commit : commits.filter(p -> p.getFileName().toString().matches("\\d{20}\\.json")).toList()) {
                if (Long.parseLong(commit.getFileName().toString().substring(0, 20)) < fromVersion) {
                    continue;
                }
                String text = Files.readString(commit);
                Matcher before = BEFORE_SKIPPING.matcher(text);
                Matcher after = AFTER_SKIPPING.matcher(text);
                if (before.find() && after.find()) {
                    sums[0] += Long.parseLong(before.group(1));
                    sums[1] += Long.parseLong(after.group(1));
                }
            }
        }
        return sums;
    }

    private static void checkAlive(InstalledAppliance appliance, Path work) {
        if (!appliance.process().isAlive()) {
            throw new IllegalStateException("the appliance exited; see " + work.resolve("appliance.log"));
        }
    }


    /** The merges the appliance logged from a line of its log on: how many, the changes, the rewrites. */
    private record Merges(long batches, long changes, long rowsCopied, long filesRewritten, long maxFilesRewritten) {

        static Merges inLog(Path log, int fromLine) throws IOException {
            long batches = 0;
            long changes = 0;
            long copied = 0;
            long files = 0;
            long maxFiles = 0;
            List<String> lines = Files.readAllLines(log);
            for (String line : lines.subList(fromLine, lines.size())) {
                Matcher m = MERGE.matcher(line);
                if (m.find()) {
                    batches++;
                    changes += Long.parseLong(m.group(1));
                    copied += Long.parseLong(m.group(5));
                    long rewritten = Long.parseLong(m.group(6));
                    files += rewritten;
                    maxFiles = Math.max(maxFiles, rewritten);
                }
            }
            return new Merges(batches, changes, copied, files, maxFiles);
        }
    }
}
