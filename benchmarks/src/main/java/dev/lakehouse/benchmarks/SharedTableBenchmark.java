package dev.lakehouse.benchmarks;

import dev.lakehouse.s3.local.LocalS3Server;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Commits per second on one {@code s3a://} table with 1, 2 and 3 writer processes against the project's local S3
 * server (s3proxy 4, file-system backend), every commit made with conditional puts
 * ({@link dev.lakehouse.table.storage.ConditionalPutLogStore}). Each writer is a JVM of its own, as an appliance is; it
 * commits batches of {@code shared.batch} rows (default 2,000) for {@code shared.seconds} (default 20) and reports
 * its commits, rows and commit latencies; the parent adds them up.
 */
final class SharedTableBenchmark {

    private static final int BATCH = Integer.getInteger("shared.batch", 2_000);
    private static final int SECONDS = Integer.getInteger("shared.seconds", 20);
    private static final Schema SCHEMA = SchemaBuilder.record("Event").fields()
            .requiredLong("id").requiredString("name").requiredDouble("amount").endRecord();

    private SharedTableBenchmark() {
    }

    static void run() {
        Path dir = ScratchDirectories.create("shared-table");
        try (LocalS3Server s3 = LocalS3Server.start(dir)) {
            s3.createBucket("bench");
            System.out.printf("shared-table: local S3 server (s3proxy, file-system backend), batches of %,d rows, "
                    + "%d s per run, each writer a JVM of its own%n", BATCH, SECONDS);
            for (int writers = 1; writers <= 3; writers++) {
                String location = "s3a://bench/table-" + writers;
                LakeTable.open(options(location, s3.endpoint())).createIfAbsent(SCHEMA);
                List<Process> children = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                            "-Dshared.batch=" + BATCH, "-Dshared.seconds=" + SECONDS,
                            SharedTableBenchmark.class.getName(), location, s3.endpoint(), Integer.toString(w))
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start());
                }
                long commits = 0;
                long rows = 0;
                List<Long> latencies = new ArrayList<>();
                for (Process child : children) {
                    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = out.readLine()) != null) {
                            if (line.startsWith("latency ")) {
                                latencies.add(Long.parseLong(line.substring(8)));
                            } else if (line.startsWith("done ")) {
                                String[] parts = line.split(" ");
                                commits += Long.parseLong(parts[1]);
                                rows += Long.parseLong(parts[2]);
                            }
                        }
                    }
                    if (!child.waitFor(2, TimeUnit.MINUTES) || child.exitValue() != 0) {
                        throw new IllegalStateException("a writer failed");
                    }
                }
                long version = LakeTable.open(options(location, s3.endpoint())).snapshot().version();
                long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("%d writer(s): %,6.1f commits/s  %,9.0f rows/s  commit latency p50 %,5d ms  "
                                + "p99 %,5d ms  max %,5d ms  [%d commits, table at version %d]%n", writers,
                        commits / (double) SECONDS, rows / (double) SECONDS, percentile(sorted, 0.5),
                        percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1], commits,
                        version);
                if (version != commits) {
                    throw new IllegalStateException("the table has " + version + " versions after creation, but "
                            + commits + " commits were reported: a commit was lost");
                }
            }
            System.out.println(Measurement.peakHeap() + " (parent)");
        } catch (Exception e) {
            throw new IllegalStateException("shared-table benchmark failed: " + e.getMessage(), e);
        } finally {
            ScratchDirectories.delete(dir);
        }
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }

    static TableOptions options(String location, String endpoint) {
        TableOptions.Builder options = TableOptions.builder(location).commitAttempts(1_000);
        LocalS3Server.s3aSettings(endpoint).forEach(options::hadoopProperty);
        return options.conditionalPutCommits().build();
    }

    /** A writer process: commits batches for the configured time, then prints its figures. */
    public static void main(String[] args) {
        String location = args[0];
        int writer = Integer.parseInt(args[2]);
        LakeTable table = LakeTable.open(options(location, args[1]));
        Schema schema = table.snapshot().avroSchema();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        long commits = 0;
        long batch = 0;
        while (System.nanoTime() < deadline) {
            List<DataFile> files;
            try (DataFileWriter out = table.newDataFileWriter()) {
                for (int i = 0; i < BATCH; i++) {
                    GenericRecord r = new GenericData.Record(schema);
                    long id = (long) writer * 1_000_000_000L + batch * BATCH + i;
                    r.put("id", id);
                    r.put("name", "event-" + id);
                    r.put("amount", id * 0.01);
                    out.write(r);
                }
                files = out.finish();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            long start = System.nanoTime();
            CommitOutcome outcome = table.commit(new BatchCommit("bench", "writer-" + writer, batch, files,
                    List.of(new OffsetRange("events", writer, batch * BATCH, (batch + 1) * BATCH)), Map.of()));
            if (!outcome.committed()) {
                throw new IllegalStateException("batch " + batch + " not committed: " + outcome);
            }
            System.out.println("latency " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            commits++;
            batch++;
        }
        System.out.println("done " + commits + " " + commits * BATCH);
    }
}
