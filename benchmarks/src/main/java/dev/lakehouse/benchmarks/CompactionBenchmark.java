package dev.lakehouse.benchmarks;

import dev.lakehouse.compaction.CompactionRunner;
import dev.lakehouse.compaction.CompactionSettings;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Compaction of a streaming-shaped table: 2,000 files of 200 orders (10 fields, zstd), as 100 batches of 20
 * files, compacted to the 128 MiB target. Prints the compaction's MB/s and the time Delta Kernel takes to read
 * the whole table (a full scan: every file opened, every row materialized) before and after, best of 3.
 */
final class CompactionBenchmark {

    private static final int FILES = 2_000;
    private static final int ROWS_PER_FILE = 200;
    private static final int FILES_PER_BATCH = 20;

    private CompactionBenchmark() {
    }

    static void run() {
        Path dir = ScratchDirectories.create("compaction-bench");
        try {
            LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString()).build());
            Schema schema = table.createIfAbsent(DeserializationBenchmark.orderV1()).avroSchema();
            Random random = new Random(7);
            long id = 0;
            for (int batch = 0; batch < FILES / FILES_PER_BATCH; batch++) {
                List<DataFile> files = new ArrayList<>();
                for (int f = 0; f < FILES_PER_BATCH; f++) {
                    try (DataFileWriter writer = table.newDataFileWriter()) {
                        for (int r = 0; r < ROWS_PER_FILE; r++) {
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
            long bytesBefore = table.snapshot().totalBytes();
            System.out.printf("Compaction: %,d files of %,d orders (%,d rows, %.1f MB, zstd), target 128 MiB%n",
                    FILES, ROWS_PER_FILE, id, bytesBefore / 1_048_576.0);
            double scanBefore = bestScanMillis(dir, id);
            MaintenanceRun run = new CompactionRunner(table).compact(CompactionSettings.forTarget(128L << 20));
            if (run.outcome() != dev.lakehouse.compaction.MaintenanceOutcome.COMPACTED) {
                throw new IllegalStateException("compaction did not run: " + run);
            }
            double seconds = run.duration().toNanos() / 1e9;
            System.out.printf("compaction: %d files -> %d files in %.2f s: %.1f MB/s read (Parquet), %,.0f rows/s, "
                            + "%d commit(s)%n", run.filesBefore(), run.filesAfter(), seconds, run.megabytesPerSecond(),
                    id / seconds, run.commits());
            double scanAfter = bestScanMillis(dir, id);
            System.out.printf("full scan with Delta Kernel (best of 3): %.0f ms before, %.0f ms after (%.1fx faster)%n",
                    scanBefore, scanAfter, scanBefore / scanAfter);
            System.out.println(Measurement.peakHeap());
        } finally {
            ScratchDirectories.delete(dir);
        }
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
}
