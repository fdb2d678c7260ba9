package dev.lakehouse.benchmarks;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Table writes on one thread: 10-field order records into Parquet files committed to a local Delta table, in
 * batches of 250,000 records (write + one commit with offsets each), per codec. Records are pre-built so the
 * figure is the table layer's cost alone (Parquet encoding, compression, stats, the Delta commit).
 */
final class TableWriteBenchmark {

    private static final int BATCH = 250_000;
    private static final int WARMUP_BATCHES = 3;
    private static final int BATCHES = 12;
    private static final List<String> VARIANTS = List.of("zstd", "zstd-1", "snappy");

    private TableWriteBenchmark() {
    }

    static void run() {
        Schema writer = DeserializationBenchmark.orderV1();
        System.out.printf("Delta table writes, 1 thread, 10-field records, batches of %,d records (write + commit)%n", BATCH);
        // One unreported pass over every variant first, so no variant pays the JIT warm-up of the others.
        for (String variant : VARIANTS) {
            measure(writer, variant, false);
        }
        for (String variant : VARIANTS) {
            measure(writer, variant, true);
        }
        System.out.println(Measurement.peakHeap());
    }

    private static void measure(Schema writer, String variant, boolean report) {
        {
            String codec = variant.startsWith("zstd") ? "zstd" : variant;
            Path dir = ScratchDirectories.create("table-write-bench-");
            try {
                TableOptions.Builder options = TableOptions.builder(dir.toUri().toString()).codec(codec);
                if (variant.equals("zstd-1")) {
                    // parquet's default zstd level is 3; level 1 is measured for comparison.
                    options.hadoopProperty("parquet.compression.codec.zstd.level", "1");
                }
                LakeTable table = LakeTable.open(options.build());
                Schema schema = table.createIfAbsent(writer).avroSchema();
                GenericRecord[] records = records(schema);
                double avroBytesPerRecord = avroBytesPerRecord(records);
                long[] nanos = new long[BATCHES];
                long bytes = 0;
                for (int b = 0; b < WARMUP_BATCHES + BATCHES; b++) {
                    long start = System.nanoTime();
                    List<DataFile> files;
                    try (DataFileWriter w = table.newDataFileWriter()) {
                        for (GenericRecord r : records) {
                            r.put(0, (long) b * BATCH + (Long) r.get(0) % BATCH);
                            w.write(r);
                        }
                        files = w.finish();
                    }
                    CommitOutcome outcome = table.commit(new BatchCommit("bench", "i", b, files,
                            List.of(new OffsetRange("orders", 0, (long) b * BATCH, (long) (b + 1) * BATCH)), Map.of()));
                    long elapsed = System.nanoTime() - start;
                    if (!outcome.committed()) {
                        throw new IllegalStateException("benchmark batch not committed: " + outcome);
                    }
                    if (b >= WARMUP_BATCHES) {
                        nanos[b - WARMUP_BATCHES] = elapsed;
                        bytes += files.stream().mapToLong(DataFile::sizeBytes).sum();
                    }
                }
                long[] sorted = nanos.clone();
                Arrays.sort(sorted);
                double totalSeconds = Arrays.stream(nanos).sum() / 1e9;
                double recordsPerSecond = (double) BATCH * BATCHES / totalSeconds;
                if (!report) {
                    return;
                }
                System.out.printf("%-7s %,10.0f records/s  %6.1f MB/s in (Avro binary)  %5.1f MB/s out (Parquet)  "
                                + "%5.1f bytes/record  batch latency p50 %5.0f ms, max %5.0f ms  [%d batches]%n",
                        variant, recordsPerSecond, recordsPerSecond * avroBytesPerRecord / 1e6, bytes / totalSeconds / 1e6,
                        (double) bytes / ((long) BATCH * BATCHES), sorted[BATCHES / 2] / 1e6, sorted[BATCHES - 1] / 1e6,
                        BATCHES);
            } finally {
                ScratchDirectories.delete(dir);
            }
        }
    }

    private static GenericRecord[] records(Schema schema) {
        Random random = new Random(7);
        String[] countries = {"DE", "FR", "US", "GB", "JP", "BR"};
        GenericRecord[] records = new GenericRecord[BATCH];
        for (int i = 0; i < BATCH; i++) {
            GenericRecord r = new GenericData.Record(schema);
            r.put("order_id", (long) i);
            r.put("customer_id", new Utf8("cust-" + random.nextInt(100_000)));
            r.put("sku", new Utf8("SKU-" + random.nextInt(5_000)));
            r.put("quantity", 1 + random.nextInt(9));
            r.put("unit_price", random.nextInt(100_000) / 100.0);
            r.put("created_at", 1_763_000_000_000L + i * 37L);
            r.put("express", random.nextBoolean());
            r.put("country", new Utf8(countries[random.nextInt(countries.length)]));
            r.put("coupon", random.nextInt(4) == 0 ? new Utf8("SAVE10") : null);
            r.put("discount", random.nextFloat());
            records[i] = r;
        }
        return records;
    }

    private static double avroBytesPerRecord(GenericRecord[] records) {
        org.apache.avro.generic.GenericDatumWriter<GenericRecord> writer =
                new org.apache.avro.generic.GenericDatumWriter<>(records[0].getSchema());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            for (GenericRecord r : records) {
                writer.write(r, encoder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (double) out.size() / records.length;
    }
}
