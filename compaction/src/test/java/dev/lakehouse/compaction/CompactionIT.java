package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.testkit.ManualClock;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction and vacuum on real Delta tables, read back with Delta Kernel. */
class CompactionIT {

    private static final Schema V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "Event", "fields": [
              {"name": "id", "type": "long"}, {"name": "region", "type": "string"},
              {"name": "name", "type": "string"},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "amount", "type": "double"}]}""");
    private static final Schema V2 = new Schema.Parser().parse("""
            {"type": "record", "name": "Event", "fields": [
              {"name": "id", "type": "long"}, {"name": "region", "type": "string"},
              {"name": "name", "type": "string"},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "amount", "type": "double"},
              {"name": "coupon", "type": ["null", "string"], "default": null}]}""");

    @TempDir
    Path dir;

    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();

    private LakeTable open(Clock clock) {
        return LakeTable.open(TableOptions.builder(dir.toUri().toString())
                .partitionSpec(PartitionSpec.of(PartitionField.identity("region")))
                .targetFileSizeBytes(4L * 1024 * 1024).clock(clock).build());
    }

    /** Commits {@code files} files of 20 rows each, alternating two regions, in one batch. */
    private CommitOutcome appendFiles(LakeTable table, int files) {
        Schema schema = table.snapshot().avroSchema();
        List<DataFile> written = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            try (DataFileWriter writer = table.newDataFileWriter()) {
                for (int r = 0; r < 20; r++) {
                    long id = ids.getAndIncrement();
                    GenericRecord row = new GenericData.Record(schema);
                    row.put("id", id);
                    row.put("region", f % 2 == 0 ? "eu" : "us");
                    row.put("name", "event-" + id);
                    row.put("at", 1_767_225_600_000L + id);
                    row.put("amount", id * 0.5);
                    if (schema.getField("coupon") != null) {
                        row.put("coupon", "C" + id);
                    }
                    writer.write(row);
                }
                written.addAll(writer.finish());
            }
        }
        return table.commit(new BatchCommit("p", "i", batches.getAndIncrement(), written, List.of(), Map.of()));
    }

    @Test
    void aFileAnotherWriterWroteWithFinerTimestampsIsLeftOutAndTheRestIsCompactedWithTheRunSayingSo()
            throws IOException {
        LakeTable table = open(Clock.systemUTC());
        table.createIfAbsent(V1);
        appendFiles(table, 12);
        // A Spark file in region "eu" with microsecond timestamps that a millisecond column cannot hold.
        org.apache.parquet.schema.MessageType type = org.apache.parquet.schema.MessageTypeParser.parseMessageType("""
                message spark_schema {
                  optional int64 id;
                  optional binary name (STRING);
                  optional int64 at (TIMESTAMP(MICROS,true));
                  optional double amount;
                }""");
        Path file = dir.resolve("region=eu/part-spark.parquet");
        try (org.apache.parquet.hadoop.ParquetWriter<org.apache.parquet.example.data.Group> writer =
                     org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(
                             new org.apache.hadoop.fs.Path(file.toUri())).withType(type).build()) {
            writer.write(new org.apache.parquet.example.data.simple.SimpleGroupFactory(type).newGroup()
                    .append("id", -1L).append("name", "spark").append("at", 1_767_225_600_000_123L)
                    .append("amount", 1.5));
        }
        DataFile spark = new DataFile("region=eu/part-spark.parquet", Map.of("region", "eu"), Files.size(file), 1,
                null, 0);
        table.commit(new BatchCommit("spark", "s", 0, List.of(spark), List.of(), Map.of()));
        String before = checksum(KernelReader.read(dir.toString()).rows());

        MaintenanceRun run = new CompactionRunner(table).compact(CompactionSettings.forTarget(4L << 20));

        assertThat(run.outcome()).isEqualTo(MaintenanceOutcome.PARTIAL);
        assertThat(run.detail()).contains("1 files left out", "region=eu/part-spark.parquet", "'at'");
        assertThat(table.snapshot().files()).extracting(DataFile::path).contains("region=eu/part-spark.parquet")
                .hasSize(3);
        assertThat(checksum(KernelReader.read(dir.toString()).rows())).isEqualTo(before);
    }

    @Test
    void fiveHundredSmallFilesBecomeOneFilePerPartitionWithIdenticalRowsWhileAppendsGoOn() throws Exception {
        LakeTable table = open(Clock.systemUTC());
        table.createIfAbsent(V1);
        for (int batch = 0; batch < 26; batch++) {
            appendFiles(table, 10);
        }
        table.evolveSchema(V2); // files written before the change are compacted with the new column null
        for (int batch = 0; batch < 26; batch++) {
            appendFiles(table, 10);
        }
        assertThat(table.snapshot().files()).hasSize(520);
        // delta-standalone checkpoints every 10 commits: 52 appends, a create and a schema change make 54.
        assertThat(table.lastCheckpointVersion()).isEqualTo(50);
        String before = checksum(KernelReader.read(dir.toString()).rows());

        CompactionSettings settings = CompactionSettings.forTarget(table.options().targetFileSizeBytes());
        CompactionPlan plan = CompactionPlanner.plan(table.location(), table.snapshot(), settings);
        assertThat(plan.groups()).hasSize(2);
        long rowsBefore = ids.get();
        // Ingestion keeps committing while the compaction runs: neither fails.
        CompletableFuture<List<CommitOutcome>> appends = CompletableFuture.supplyAsync(() -> {
            List<CommitOutcome> outcomes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                outcomes.add(appendFiles(table, 2));
            }
            return outcomes;
        });
        MaintenanceRun run = new CompactionRunner(table).execute(plan, settings);
        assertThat(appends.get()).allSatisfy(o -> assertThat(o.status()).isEqualTo(CommitOutcome.Status.COMMITTED));

        assertThat(run.outcome()).isEqualTo(MaintenanceOutcome.COMPACTED);
        assertThat(run.filesBefore()).isEqualTo(520);
        assertThat(run.filesAfter()).isEqualTo(2);
        assertThat(run.commits()).isEqualTo(2);
        assertThat(table.snapshot().files()).hasSize(2 + 20);
        KernelReader.Result after = KernelReader.read(dir.toString());
        assertThat(after.rows()).hasSize((int) ids.get());
        List<Map<String, Object>> compactedRows = after.rows().stream()
                .filter(r -> (Long) r.get("id") < rowsBefore).toList();
        assertThat(checksum(compactedRows)).isEqualTo(before);
        assertThat(compactedRows).filteredOn(r -> (Long) r.get("id") < 5_200).allSatisfy(
                r -> assertThat(r.get("coupon")).isNull());

        TableCommit optimize = table.history(40).stream()
                .filter(c -> "OPTIMIZE".equals(c.parameters().get("operation"))).findFirst().orElseThrow();
        assertThat(optimize.operation()).isEqualTo("Manual Update");
        assertThat(optimize.metrics()).containsEntry("numAddedFiles", "1");

        // A second pass packs the files appended meanwhile with the compacted ones (all still small); a third
        // finds one file per partition and nothing worth doing.
        assertThat(new CompactionRunner(table).compact(settings).outcome()).isEqualTo(MaintenanceOutcome.COMPACTED);
        assertThat(table.snapshot().files()).hasSize(2);
        assertThat(new CompactionRunner(table).compact(settings).outcome()).isEqualTo(MaintenanceOutcome.NOTHING_TO_DO);
        assertThat(KernelReader.read(dir.toString()).rows()).hasSize((int) ids.get());
    }

    @Test
    void aGroupOfManyTargetSizesIsWrittenByTwoWritersAtOnceWithEveryRowKeptAndOneFileForASmallGroup()
            throws Exception {
        // Files roll at 1 MiB; a group of about 7 MB fills several per writer, so two writers share it.
        LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString())
                .targetFileSizeBytes(1L << 20).build());
        table.createIfAbsent(V1);
        java.util.Random random = new java.util.Random(3);
        for (int batch = 0; batch < 4; batch++) {
            List<DataFile> written = new ArrayList<>();
            for (int f = 0; f < 5; f++) {
                try (DataFileWriter writer = table.newDataFileWriter()) {
                    for (int r = 0; r < 4_000; r++) {
                        long id = ids.getAndIncrement();
                        GenericRecord row = new GenericData.Record(table.snapshot().avroSchema());
                        row.put("id", id);
                        row.put("region", "eu");
                        byte[] name = new byte[64];
                        random.nextBytes(name);
                        row.put("name", java.util.HexFormat.of().formatHex(name));
                        row.put("at", 1_767_225_600_000L + id);
                        row.put("amount", random.nextDouble());
                        writer.write(row);
                    }
                    written.addAll(writer.finish());
                }
            }
            table.commit(new BatchCommit("p", "i", batch, written, List.of(), Map.of()));
        }
        String before = checksum(KernelReader.read(dir.toString()).rows());
        long bytesBefore = table.snapshot().totalBytes();
        assertThat(bytesBefore).isGreaterThan(4L << 20);

        CompactionSettings settings = new CompactionSettings(64L << 20, 48L << 20, 2).writingWith(2);
        MaintenanceRun run = new CompactionRunner(table).compact(settings);

        assertThat(run.outcome()).isEqualTo(MaintenanceOutcome.COMPACTED);
        assertThat(run.filesBefore()).isEqualTo(20);
        assertThat(checksum(KernelReader.read(dir.toString()).rows())).isEqualTo(before);
        List<DataFile> after = table.snapshot().files();
        // Each writer names its files with its own tag (part-NNNNN-<tag>.c000...): two writers, two tags.
        assertThat(after.stream().map(f -> f.path().split("-", 3)[2]).map(rest -> rest.substring(0, 36))
                .distinct()).hasSize(2);
        // At most one partial file more than one writer would leave.
        long full = after.stream().filter(f -> f.sizeBytes() >= 768L << 10).count();
        assertThat(after.size() - full).isLessThanOrEqualTo(2);

        // One writer, or a group too small to fill two files per writer, writes one stream of files.
        Path single = dir.resolveSibling(dir.getFileName() + "-single");
        LakeTable small = LakeTable.open(TableOptions.builder(single.toUri().toString()).build());
        small.createIfAbsent(V1);
        for (int batch = 0; batch < 3; batch++) {
            try (DataFileWriter writer = small.newDataFileWriter()) {
                GenericRecord row = new GenericData.Record(small.snapshot().avroSchema());
                row.put("id", (long) batch);
                row.put("region", "eu");
                row.put("name", "n" + batch);
                row.put("at", 0L);
                row.put("amount", 1.0);
                writer.write(row);
                small.commit(new BatchCommit("p", "i", batch, writer.finish(), List.of(), Map.of()));
            }
        }
        assertThat(new CompactionRunner(small).compact(settings).filesAfter()).isEqualTo(1);
        assertThat(KernelReader.read(single.toString()).rows()).hasSize(3);
    }

    @Test
    void vacuumDeletesOrphansAndOldRemovedFilesButNeverALiveOrRetainedOne() throws Exception {
        ManualClock clock = new ManualClock(Instant.now());
        LakeTable table = open(clock);
        table.createIfAbsent(V1);
        for (int batch = 0; batch < 3; batch++) {
            appendFiles(table, 4);
        }
        // An orphan: a file written by a batch that never committed.
        try (DataFileWriter writer = table.newDataFileWriter()) {
            GenericRecord row = new GenericData.Record(table.snapshot().avroSchema());
            row.put("id", -1L);
            row.put("region", "eu");
            row.put("name", "orphan");
            row.put("at", 0L);
            row.put("amount", 0.0);
            writer.write(row);
            writer.finish();
        }
        assertThat(dataFiles()).hasSize(13);
        // Compaction removes the 12 committed files (still needed for time travel inside the retention).
        MaintenanceRun compaction = new CompactionRunner(table).compact(new CompactionSettings(4L << 20, 3L << 20, 2));
        assertThat(compaction.filesBefore()).isEqualTo(12);
        long liveAfterCompaction = table.snapshot().files().size();

        assertThatThrownBy(() -> Vacuum.run(table, Vacuum.Options.of(Duration.ofHours(1)).listOnly()))
                .hasMessageContaining("below the minimum of 7 days");
        // Files are seconds old and removals minutes old: nothing is old enough.
        assertThat(Vacuum.run(table, Vacuum.Options.of(Duration.ofDays(7))).filesBefore()).isZero();

        // Eight days on: the orphan and the removed files are past the retention; live files stay.
        clock.advance(Duration.ofDays(8));
        MaintenanceRun dry = Vacuum.run(table, Vacuum.Options.of(Duration.ofDays(7)).listOnly());
        assertThat(dry.outcome()).isEqualTo(MaintenanceOutcome.DRY_RUN);
        assertThat(dry.filesBefore()).isEqualTo(13);
        assertThat(dataFiles()).hasSize(13 + (int) liveAfterCompaction);
        MaintenanceRun vacuum = Vacuum.run(table, Vacuum.Options.of(Duration.ofDays(7)));
        assertThat(vacuum.filesBefore()).isEqualTo(13);
        assertThat(dataFiles()).hasSize((int) liveAfterCompaction);
        assertThat(KernelReader.read(dir.toString()).rows()).hasSize(240);
        assertThat(Files.exists(dir.resolve("_delta_log"))).isTrue();
    }

    @Test
    void removedFilesInsideTheRetentionAreKeptEvenIfOld() throws Exception {
        ManualClock clock = new ManualClock(Instant.now());
        LakeTable table = open(clock);
        table.createIfAbsent(V1);
        appendFiles(table, 6);
        ageFiles(Duration.ofDays(30)); // written long ago...
        clock.advance(Duration.ofDays(30));
        new CompactionRunner(table).compact(new CompactionSettings(4L << 20, 3L << 20, 2)); // ...removed just now
        assertThat(Vacuum.run(table, Vacuum.Options.of(Duration.ofDays(7))).filesBefore()).isZero();
        assertThat(dataFiles()).hasSize(6 + 2);
    }

    private List<Path> dataFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }

    private void ageFiles(Duration age) throws IOException {
        for (Path file : dataFiles()) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
                    Files.getLastModifiedTime(file).toInstant().minus(age)));
        }
    }

    /** An order-independent digest of rows. */
    private static String checksum(List<Map<String, Object>> rows) {
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            lines.add(new TreeMap<>(row).toString());
        }
        lines.sort(null);
        return lines.size() + ":" + Integer.toHexString(lines.hashCode());
    }
}
