package dev.lakehouse.table.parquet;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TestTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files read ahead of their consumers: every row group arrives once, even when one is larger than the budget. */
class PrefetchedFilesIT {

    @Test
    void aBudgetSmallerThanOneRowGroupStillHandsOverEveryRowGroupOnce(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        for (int batch = 0; batch < 6; batch++) {
            table.commit(new BatchCommit("p", "i", batch, TestTables.write(table,
                    TestTables.events(schema, batch * 3_000L, batch * 3_000L + 3_000)), List.of(), Map.of()));
        }
        List<DataFile> files = table.snapshot().files();
        Configuration conf = new Configuration();
        MessageType fileSchema = footerSchema(dir, files.get(0), conf);
        List<String> seen = new ArrayList<>();
        long[] rows = {0};

        // 64 KiB of decompressed row groups at most: each of these row groups is larger, so it takes all of it.
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            try (PrefetchedFiles prefetched = new PrefetchedFiles(files, new org.apache.hadoop.fs.Path(dir.toUri()),
                    conf, fileSchema, 3, 64 << 10)) {
                for (PrefetchedFiles.Item item = prefetched.next(); !(item instanceof PrefetchedFiles.Item.End);
                     item = prefetched.next()) {
                    assertThat(item).isInstanceOf(PrefetchedFiles.Item.RowGroup.class);
                    PrefetchedFiles.Item.RowGroup rowGroup = (PrefetchedFiles.Item.RowGroup) item;
                    assertThat(rowGroup.rows().uncompressedBytes()).isGreaterThan(64 << 10);
                    seen.add(rowGroup.file().path());
                    rows[0] += rowGroup.rows().getRowCount();
                    prefetched.release(rowGroup.rows());
                }
            }
        });
        assertThat(seen).containsExactlyInAnyOrderElementsOf(files.stream().map(DataFile::path).toList());
        assertThat(rows[0]).isEqualTo(18_000);
    }

    private static MessageType footerSchema(Path dir, DataFile file, Configuration conf) {
        try (org.apache.parquet.hadoop.ParquetFileReader reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                        new org.apache.hadoop.fs.Path(dir.resolve(file.path()).toUri()), conf))) {
            return reader.getFooter().getFileMetaData().getSchema();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFileOfAnotherSchemaIsHandedOverToBeReadAsRecords(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, TestTables.events(schema, 0, 10)),
                List.of(), Map.of()));
        Configuration conf = new Configuration();
        Schema other = org.apache.avro.SchemaBuilder.record("Other").fields().optionalLong("id").endRecord();
        MessageType otherSchema = new AvroSchemaConverter(conf).convert(other);

        try (PrefetchedFiles prefetched = new PrefetchedFiles(table.snapshot().files(),
                new org.apache.hadoop.fs.Path(dir.toUri()), conf, otherSchema, 1, 1 << 20)) {
            assertThat(prefetched.next()).isInstanceOf(PrefetchedFiles.Item.OtherSchema.class);
            assertThat(prefetched.next()).isInstanceOf(PrefetchedFiles.Item.End.class);
            assertThat(prefetched.next()).isInstanceOf(PrefetchedFiles.Item.End.class); // to every consumer
        }
    }
}
