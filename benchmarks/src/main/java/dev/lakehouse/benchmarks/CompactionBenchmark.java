package dev.lakehouse.benchmarks;

import dev.lakehouse.compaction.CompactionRunner;
import dev.lakehouse.compaction.CompactionSettings;
import dev.lakehouse.compaction.MaintenanceOutcome;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.s3.local.LocalS3Server;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Compaction, case by case ({@code -Dcompaction.case=small|large|sorted|noop|s3}, default all):
 * <ul>
 *   <li>{@code small}: a streaming-shaped table of 2,000 files of 200 orders (10 fields, zstd), compacted to the
 *       128 MiB target, {@code compaction.rounds} times in one JVM (first round cold, later ones warm); rows/s,
 *       MB/s of Parquet read, peak heap; Delta Kernel's full scan before and after.</li>
 *   <li>{@code large}: 100 files of about 7 MB (events with a 600-byte payload) compacted in one group of up to
 *       1 GiB into files of the table's 8 MiB target, by two writers at once ({@code compaction.writers=1}: by
 *       one).</li>
 *   <li>{@code sorted}: the small table compacted to 1 MiB files without and with {@code sort-by: [customer_id]};
 *       a query for one customer with Delta Kernel's data skipping: files read and time.</li>
 *   <li>{@code noop}: a scheduled run on a table of 10,000 files that needs no compaction.</li>
 *   <li>{@code s3}: {@code small} on the project's local S3 server.</li>
 * </ul>
 */
final class CompactionBenchmark {

    private static final int SMALL_FILES = 2_000;
    private static final int ROWS_PER_SMALL_FILE = 200;
    private static final int FILES_PER_BATCH = 20;
    private static final String CUSTOMER = "cust-4242";

    private CompactionBenchmark() {
    }

    static void run() {
        String which = System.getProperty("compaction.case", "all");
        for (String name : List.of("small", "large", "sorted", "noop", "s3")) {
            if (which.equals("all") || which.equals(name)) {
                resetPeakHeap();
                switch (name) {
                    case "small" -> small();
                    case "large" -> large();
                    case "sorted" -> sorted();
                    case "noop" -> noop();
                    default -> s3();
                }
            }
        }
    }

    /**
     * The small table compacted {@code compaction.rounds} times (default 6), each time freshly written: the first
     * round is what a new JVM gets ({@code lakehouse compact}), the later ones what a running appliance gets once
     * its JIT has compiled the read and write paths. Delta Kernel's full scan before and after on the last round.
     */
    private static void small() {
        int rounds = Math.max(1, Integer.getInteger("compaction.rounds", 6));
        double first = 0;
        double bestLater = 0;
        for (int round = 1; round <= rounds; round++) {
            Path dir = ScratchDirectories.create("compaction-small");
            try {
                LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString()).build());
                long rows = fillSmallFiles(table);
                long bytesBefore = table.snapshot().totalBytes();
                boolean last = round == rounds;
                if (round == 1) {
                    System.out.printf("small: %,d files of %,d orders (%,d rows, %.1f MB, zstd), target 128 MiB, "
                            + "%d rounds on fresh tables%n", SMALL_FILES, ROWS_PER_SMALL_FILE, rows,
                            bytesBefore / 1_048_576.0, rounds);
                }
                double scanBefore = last ? bestScanMillis(dir, rows) : 0;
                MaintenanceRun run = compact(table, CompactionSettings.forTarget(128L << 20));
                report("small, round " + round, run, rows);
                double rate = rows / (run.duration().toNanos() / 1e9);
                if (round == 1) {
                    first = rate;
                } else {
                    bestLater = Math.max(bestLater, rate);
                }
                if (last) {
                    double scanAfter = bestScanMillis(dir, rows);
                    System.out.printf("  full scan with Delta Kernel (best of 3): %.0f ms before, %.0f ms after "
                            + "(%.1fx)%n", scanBefore, scanAfter, scanBefore / scanAfter);
                }
            } finally {
                ScratchDirectories.delete(dir);
            }
        }
        System.out.printf("  small: first round (new JVM) %,.0f rows/s; best later round %,.0f rows/s%n", first,
                bestLater);
    }

    private static void s3() {
        Path dir = ScratchDirectories.create("compaction-s3");
        try (LocalS3Server s3 = LocalS3Server.start(dir)) {
            s3.createBucket("bench");
            TableOptions.Builder options = TableOptions.builder("s3a://bench/orders");
            LocalS3Server.s3aSettings(s3.endpoint()).forEach(options::hadoopProperty);
            // Conditional-put commits, as the appliance's default (auto) chooses on this server.
            LakeTable table = LakeTable.open(options.conditionalPutCommits().build());
            long rows = fillSmallFiles(table);
            System.out.printf("s3: the small table on the local S3 server (s3proxy, file-system backend), %.1f MB%n",
                    table.snapshot().totalBytes() / 1_048_576.0);
            report("s3", compact(table, CompactionSettings.forTarget(128L << 20)), rows);
        } finally {
            ScratchDirectories.delete(dir);
        }
    }

    private static void large() {
        Path dir = ScratchDirectories.create("compaction-large");
        try {
            LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString())
                    .targetFileSizeBytes(8L << 20).build());
            Schema schema = table.createIfAbsent(SchemaBuilder.record("Event").namespace("bench").fields()
                    .requiredLong("event_id").requiredString("customer_id").requiredString("payload").endRecord())
                    .avroSchema();
            Random random = new Random(11);
            long id = 0;
            int batch = 0;
            while (table.snapshot().files().size() < 100) {
                List<DataFile> files;
                try (DataFileWriter writer = table.newDataFileWriter()) {
                    for (int r = 0; r < 20_000; r++) {
                        GenericRecord event = new GenericData.Record(schema);
                        event.put("event_id", id++);
                        event.put("customer_id", "cust-" + random.nextInt(100_000));
                        event.put("payload", randomText(random, 600));
                        writer.write(event);
                    }
                    files = writer.finish();
                }
                table.commit(new BatchCommit("bench", "b", batch++, files, List.of(), Map.of()));
            }
            long rows = id;
            System.out.printf("large: %d files, %,d rows, %.0f MB (%.1f MB a file), one group of up to 1 GiB rewritten "
                    + "into files of the table's 8 MiB target%n",
                    table.snapshot().files().size(), rows, table.snapshot().totalBytes() / 1_048_576.0,
                    table.snapshot().totalBytes() / 1_048_576.0 / table.snapshot().files().size());
            CompactionSettings settings = new CompactionSettings(1L << 30, 16L << 20, 5);
            // -Dcompaction.writers=1 measures the same rewrite with one writer.
            settings = settings.writingWith(Integer.getInteger("compaction.writers", settings.writeParallelism()));
            System.out.printf("  %d writer(s), %d reading threads%n", settings.writeParallelism(),
                    settings.readParallelism());
            report("large", compact(table, settings), rows);
        } finally {
            ScratchDirectories.delete(dir);
        }
    }

    private static void sorted() {
        for (boolean sort : new boolean[] {false, true}) {
            Path dir = ScratchDirectories.create("compaction-sorted");
            try {
                LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString())
                        .targetFileSizeBytes(1L << 20).build());
                long rows = fillSmallFiles(table);
                if (!sort) {
                    query("sorted: before compaction", dir);
                }
                CompactionSettings settings = new CompactionSettings(1L << 20, 256L << 10, 5);
                if (sort) {
                    settings = settings.sortedBy(List.of("customer_id"));
                }
                report(sort ? "sorted: sort-by [customer_id]" : "sorted: unsorted", compact(table, settings), rows);
                query(sort ? "sorted: after compaction with sort-by [customer_id]"
                        : "sorted: after compaction without sorting", dir);
            } finally {
                ScratchDirectories.delete(dir);
            }
        }
    }

    /** One customer's orders through Delta Kernel with data skipping: files read and time, best of 3. */
    private static void query(String label, Path dir) {
        double best = Double.MAX_VALUE;
        int[] files = new int[1];
        long matching = 0;
        for (int i = 0; i < 3; i++) {
            files[0] = 0;
            long start = System.nanoTime();
            List<Map<String, Object>> read = KernelReader.readWhereEquals(dir.toString(), "customer_id", CUSTOMER,
                    files).rows();
            matching = read.stream().filter(r -> CUSTOMER.equals(r.get("customer_id"))).count();
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
        }
        System.out.printf("  %s: customer_id = '%s' reads %,d of %,d files, %,d matching rows, %.0f ms (best of 3)%n",
                label, CUSTOMER, files[0], LakeTable.open(TableOptions.builder(dir.toUri().toString()).build())
                        .snapshot().files().size(), matching, best);
    }

    private static void noop() {
        Path dir = ScratchDirectories.create("compaction-noop");
        try {
            LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString()).build());
            Schema schema = table.createIfAbsent(DeserializationBenchmark.orderV1()).avroSchema();
            Random random = new Random(5);
            long id = 0;
            for (int batch = 0; batch < 100; batch++) {
                List<DataFile> files = new ArrayList<>();
                for (int f = 0; f < 100; f++) {
                    try (DataFileWriter writer = table.newDataFileWriter()) {
                        GenericRecord order = new GenericData.Record(schema);
                        DeserializationBenchmark.fillOrder(order, id, id, random);
                        id++;
                        writer.write(order);
                        files.addAll(writer.finish());
                    }
                }
                table.commit(new BatchCommit("bench", "b", batch, files, List.of(), Map.of()));
            }
            // A small-file size of one byte: no file is a candidate, so the run reads the log, plans, and stops.
            CompactionSettings settings = new CompactionSettings(128L << 20, 1, 5);
            List<Long> millis = new ArrayList<>();
            for (int run = 0; run < 5; run++) {
                LakeTable fresh = LakeTable.open(TableOptions.builder(dir.toUri().toString()).build());
                MaintenanceRun result = new CompactionRunner(fresh).compact(settings);
                if (result.outcome() != MaintenanceOutcome.NOTHING_TO_DO) {
                    throw new IllegalStateException("expected nothing to do: " + result);
                }
                millis.add(result.duration().toMillis());
            }
            millis.sort(Long::compare);
            System.out.printf("noop: a run on %,d files that need no compaction: median %d ms, best %d ms, worst %d ms "
                    + "(a table opened for each run, its log read)%n", table.snapshot().files().size(),
                    millis.get(2), millis.get(0), millis.get(4));
            System.out.println("  " + peakHeap());
        } finally {
            ScratchDirectories.delete(dir);
        }
    }

    private static MaintenanceRun compact(LakeTable table, CompactionSettings settings) {
        MaintenanceRun run = new CompactionRunner(table).compact(settings);
        if (run.outcome() != MaintenanceOutcome.COMPACTED) {
            throw new IllegalStateException("compaction did not run: " + run);
        }
        return run;
    }

    private static void report(String label, MaintenanceRun run, long rows) {
        double seconds = run.duration().toNanos() / 1e9;
        System.out.printf("  %s: %d files -> %d in %.2f s: %,.0f rows/s, %.1f MB/s of Parquet read, %d commit(s); %s%n",
                label, run.filesBefore(), run.filesAfter(), seconds, rows / seconds, run.megabytesPerSecond(),
                run.commits(), peakHeap());
    }

    /** 2,000 files of 200 orders, committed 20 at a time, as a streaming table has them. */
    private static long fillSmallFiles(LakeTable table) {
        Schema schema = table.createIfAbsent(DeserializationBenchmark.orderV1()).avroSchema();
        Random random = new Random(7);
        long id = 0;
        for (int batch = 0; batch < SMALL_FILES / FILES_PER_BATCH; batch++) {
            List<DataFile> files = new ArrayList<>();
            for (int f = 0; f < FILES_PER_BATCH; f++) {
                try (DataFileWriter writer = table.newDataFileWriter()) {
                    for (int r = 0; r < ROWS_PER_SMALL_FILE; r++) {
                        GenericRecord order = new GenericData.Record(schema);
                        DeserializationBenchmark.fillOrder(order, id, id, random);
                        id++;
                        writer.write(order);
                    }
                    files.addAll(writer.finish());
                }
            }
            table.commit(new BatchCommit("bench", "b", batch, files, List.of(), Map.of()));
        }
        return id;
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static double bestScanMillis(Path dir, long expectedRows) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            int rows = KernelReader.read(dir.toString()).rows().size();
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
            if (rows != expectedRows) {
                throw new IllegalStateException("scan returned " + rows + " rows, expected " + expectedRows);
            }
        }
        return best;
    }

    private static void resetPeakHeap() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static String peakHeap() {
        return Measurement.peakHeap();
    }
}
