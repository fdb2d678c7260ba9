package dev.lakehouse.benchmarks;

import dev.lakehouse.ingest.IngestPipeline;
import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * End to end: fills a topic of the local broker (its own JVM, on this machine) with Avro orders, then drains it
 * into a Delta table with the ingest engine and its default settings (zstd, 1 M records or 256 MB per batch).
 * Reports records/s and MB/s (serialized Kafka bytes), batch latency percentiles and peak heap.
 *
 * <p>Size: {@code -Dingest.records=5000000} (default), partitions {@code -Dingest.partitions=3}.
 */
final class IngestBenchmark {

    private IngestBenchmark() {
    }

    static void run() {
        long records = Long.getLong("ingest.records", 5_000_000);
        int partitions = Integer.getInteger("ingest.partitions", 3);
        Path workDir;
        try {
            workDir = Files.createTempDirectory("ingest-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            kafka.createTopic("orders", partitions);
            long fillStart = System.nanoTime();
            long kafkaBytes = OrderTopic.fill(kafka.bootstrapServers(), registry, "orders", records);
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            System.out.printf("filled topic 'orders' (%d partitions): %,d records, %,.1f MB in %.1f s%n",
                    partitions, records, kafkaBytes / 1e6, fillSeconds);

            String location = workDir.resolve("orders").toUri().toString();
            PipelineSettings settings = PipelineSettings.builder("bench").topics(List.of("orders"))
                    .bootstrapServers(kafka.bootstrapServers()).triggerInterval(Duration.ofSeconds(5)).build();
            List<BatchProgress> batches = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            long[] firstCommitNanos = {0};
            try (IngestPipeline pipeline = new IngestPipeline(settings,
                    LakeTable.open(TableOptions.builder(location).build()), new ConfluentAvroDecoder(registry))) {
                pipeline.addProgressListener(p -> {
                    if (batches.isEmpty()) {
                        firstCommitNanos[0] = System.nanoTime();
                    }
                    batches.add(p);
                });
                pipeline.start();
                while (pipeline.status().recordsCommitted() < records) {
                    if (pipeline.status().state() == PipelineState.FAILED) {
                        throw new IllegalStateException("pipeline failed: " + pipeline.status().error());
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            long inputBytes = batches.stream().mapToLong(BatchProgress::inputBytes).sum();
            long firstBatchRows = batches.get(0).numInputRows();
            double steadySeconds = (end - firstCommitNanos[0]) / 1e9;
            long[] latencies = batches.stream().mapToLong(b -> b.durationMs().total()).sorted().toArray();
            LakeTable table = LakeTable.open(TableOptions.builder(location).build());
            long tableBytes = table.snapshot().totalBytes();
            System.out.printf("ingest end to end: %,d records in %.1f s = %,.0f records/s, %.1f MB/s of Kafka "
                            + "payload (start-up and group join included)%n", records, seconds, records / seconds,
                    inputBytes / seconds / 1e6);
            System.out.printf("ingest after the first commit: %,.0f records/s%n",
                    (records - firstBatchRows) / steadySeconds);
            System.out.printf("batches: %d, latency (first record to commit) p50 %d ms, p99 %d ms, max %d ms%n",
                    latencies.length, percentile(latencies, 0.50), percentile(latencies, 0.99),
                    latencies[latencies.length - 1]);
            System.out.printf("table: %,d files, %,.1f MB (%.1f bytes/record)%n", table.snapshot().files().size(),
                    tableBytes / 1e6, tableBytes / (double) records);
            System.out.println("engine JVM " + Measurement.peakHeap() + "; broker in its own JVM with -Xmx1g");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
