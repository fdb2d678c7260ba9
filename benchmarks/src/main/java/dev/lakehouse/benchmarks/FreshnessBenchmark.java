package dev.lakehouse.benchmarks;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness: orders are produced at a steady rate while {@code bin/lakehouse run} (its own process, default JVM
 * options, a fixed instance id, a 1 s trigger) ingests them; for every order sent in the measured window, the time
 * from just before its {@code send()} to the moment the Delta log entry holding its offset appeared is recorded,
 * and p50, p99 and max are printed with the appliance's peak RSS and CPU.
 *
 * <p>Options: {@code freshness.rates} (records/s, comma-separated, default {@code 50000,200000}, each measured
 * with a new appliance and table), {@code freshness.seconds} (60), {@code freshness.warmup-seconds} (10, produced
 * at the same rate before the window opens), {@code freshness.cpus} (a taskset CPU list for the appliance).
 */
final class FreshnessBenchmark {

    private static final int PARTITIONS = 3;

    private FreshnessBenchmark() {
    }

    static void run() {
        int[] rates = Arrays.stream(System.getProperty("freshness.rates", "50000,200000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.getInteger("freshness.seconds", 60);
        int warmup = Integer.getInteger("freshness.warmup-seconds", 10);
        String cpus = System.getProperty("freshness.cpus");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            for (int rate : rates) {
                measure(kafka, registryServer, registry, rate, seconds, warmup, cpus);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void measure(LocalKafkaBroker kafka, SchemaRegistryServer registryServer,
                                SchemaRegistryClient registry, int rate, int seconds, int warmup, String cpus)
            throws IOException, InterruptedException {
        String topic = "fresh" + rate;
        kafka.createTopic(topic, PARTITIONS);
        Path work = Files.createTempDirectory("freshness-bench");
        Path table = work.resolve(topic);
        Path config = work.resolve("lakehouse.yaml");
        String pipeline = "fresh" + rate;
        BenchmarkConfig.write(config, pipeline, kafka.bootstrapServers(), topic, registryServer.url(), table);
        SendTimes sendTimes = new SendTimes();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLongArray window = new AtomicLongArray(2);
        try (InstalledAppliance appliance = InstalledAppliance.launch(cpus, null, work, "run", "--config",
                config.toString())) {
            Thread producer = new Thread(() -> produce(kafka.bootstrapServers(), registry, topic, rate, warmup,
                    seconds, sendTimes, window, producing), "freshness-producer");
            producer.start();
            DeltaLogTail tail = new DeltaLogTail(table);
            long[] readable = new long[PARTITIONS];
            int[] histogramMillis = new int[600_000];
            long measured = 0;
            long maxMillis = 0;
            while (producing.get() || readableBelowSent(readable, sendTimes)) {
                for (DeltaLogTail.Commit commit : tail.poll()) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        Long next = commit.nextOffsets().get(pipeline + "/" + topic + "/" + p);
                        if (next == null) {
                            continue;
                        }
                        for (long offset = readable[p]; offset < next; offset++) {
                            long sent = sendTimes.get(p, offset);
                            if (inWindow(sent, window)) {
                                long millis = Math.max(0, (commit.seenNanos() - sent) / 1_000_000);
                                histogramMillis[(int) Math.min(millis, histogramMillis.length - 1)]++;
                                maxMillis = Math.max(maxMillis, millis);
                                measured++;
                            }
                        }
                        readable[p] = Math.max(readable[p], next);
                    }
                }
                if (!appliance.process().isAlive()) {
                    throw new IllegalStateException("the appliance exited; see " + work.resolve("appliance.log"));
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
            producer.join();
            double windowSeconds = (window.get(1) - window.get(0)) / 1e9;
            System.out.printf("freshness at %,d records/s offered (%,d sent in the %.0f s window, %,.0f/s achieved):"
                            + " send to readable p50 %,d ms, p99 %,d ms, max %,d ms%n", rate, measured,
                    windowSeconds, measured / windowSeconds, Measurement.percentileMillis(histogramMillis, measured, 0.50),
                    Measurement.percentileMillis(histogramMillis, measured, 0.99), maxMillis);
            System.out.printf("  appliance: peak RSS %,d MB, CPU %.1f s; %s%n", appliance.peakRssMb(),
                    appliance.cpuSeconds(), appliance.heapSummary());
        }
    }

    /** Whether a send time lies in the measured window (open until the producer closes it). */
    private static boolean inWindow(long sent, AtomicLongArray window) {
        return window.get(0) != 0 && sent >= window.get(0) && (window.get(1) == 0 || sent < window.get(1));
    }

    private static boolean readableBelowSent(long[] readable, SendTimes sent) {
        for (int p = 0; p < readable.length; p++) {
            if (readable[p] < sent.count(p)) {
                return true;
            }
        }
        return false;
    }


    /**
     * Sends at {@code rate} in 10 ms slices for the warm-up and the window; {@code window} gets the window's start
     * and end (nanoTime) once each is reached. Setting {@code producing} false ends it early; it is false once
     * everything sent is acknowledged.
     */
    static void produce(String bootstrapServers, SchemaRegistryClient registry, String topic, int rate,
                                int warmup, int seconds, SendTimes sendTimes, AtomicLongArray window,
                                AtomicBoolean producing) {
        ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
        Random random = new Random(11);
        GenericRecord order = new GenericData.Record(DeserializationBenchmark.orderV1());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long windowStart = start + TimeUnit.SECONDS.toNanos(warmup);
            long end = windowStart + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            while (true) {
                long now = System.nanoTime();
                if (now >= end || !producing.get()) {
                    break; // the window is over, or the caller ended production
                }
                if (window.get(0) == 0 && now >= windowStart) {
                    window.set(0, now);
                }
                long due = (now - start) * rate / 1_000_000_000L;
                for (; sent < due; sent++) {
                    DeserializationBenchmark.fillOrder(order, sent, sent, random);
                    byte[] value = serializer.serialize(topic, RecordPart.VALUE, order);
                    long sendNanos = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, Long.toString(sent).getBytes(StandardCharsets.UTF_8),
                            value), (metadata, error) -> {
                                if (error == null) {
                                    sendTimes.put(metadata.partition(), metadata.offset(), sendNanos);
                                }
                            });
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
            window.set(1, System.nanoTime());
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producing.set(false);
        }
    }

    /** Send times by partition and offset, written by the producer's I/O thread and read by the measuring one. */
    static final class SendTimes {
        private final Map<Integer, long[]> byPartition = new ConcurrentHashMap<>();
        private final Map<Integer, Long> counts = new ConcurrentHashMap<>();

        synchronized void put(int partition, long offset, long nanos) {
            long[] times = byPartition.computeIfAbsent(partition, p -> new long[1 << 20]);
            if (offset >= times.length) {
                times = Arrays.copyOf(times, (int) Math.max(offset + 1, times.length * 2L));
                byPartition.put(partition, times);
            }
            times[(int) offset] = nanos;
            counts.merge(partition, offset + 1, Math::max);
        }

        synchronized long get(int partition, long offset) {
            long[] times = byPartition.get(partition);
            return times == null || offset >= times.length ? 0 : times[(int) offset];
        }

        long count(int partition) {
            return counts.getOrDefault(partition, 0L);
        }
    }
}
