package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data written through the table layer, read back by Delta Kernel: rows, types, nulls, partitions, stats. */
class DeltaTableWriteIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyTypeRoundTripsThroughAnIndependentReader(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).codec("snappy").build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        List<DataFile> files = TestTables.write(table, TestTables.events(schema, 0, 500));
        CommitOutcome outcome = table.commit(new BatchCommit("p", "i1", 0, files,
                List.of(new OffsetRange("events", 0, 0, 500)), Map.of()));
        assertThat(outcome.committed()).isTrue();

        KernelReader.Result result = KernelReader.read(dir.toString());
        assertThat(result.version()).isEqualTo(outcome.version());
        assertThat(result.rows()).hasSize(500);
        Map<String, Object> row = result.rows().stream().filter(r -> r.get("id").equals(12L)).findFirst().orElseThrow();
        assertThat(row.get("name")).isEqualTo("event-12");
        assertThat(row.get("qty")).isEqualTo(5);
        assertThat(row.get("price")).isEqualTo(3.0);
        assertThat(row.get("ratio")).isEqualTo(1.2f);
        assertThat(row.get("active")).isEqualTo(true);
        assertThat(row.get("created_at")).isEqualTo((TestTables.BASE_MILLIS + 12 * 60_000L) * 1000);
        assertThat(row.get("day")).isEqualTo(20_000);
        assertThat(row.get("amount")).isEqualTo(new BigDecimal("0.12"));
        assertThat(row.get("status")).isEqualTo("PAID");
        assertThat(row.get("tags")).isEqualTo(List.of("t0", "all"));
        assertThat(row.get("attrs")).isEqualTo(Map.of("k", 12L));
        Map<?, ?> customer = (Map<?, ?>) row.get("customer");
        assertThat(customer.get("email")).isEqualTo("c12@example.com");
        assertThat(customer.get("tier")).isNull();
        assertThat(row.get("choice")).as("a null union is a null struct").isNull();
        assertThat(row.get("payload")).isEqualTo("p12".getBytes());
        assertThat(row.get("uid")).isEqualTo("00000000-0000-0000-0000-00000000000c");
        assertThat(row.get("note")).isNull();
        Map<String, Object> withNote = result.rows().stream().filter(r -> r.get("id").equals(13L)).findFirst().orElseThrow();
        assertThat(((Map<?, ?>) withNote.get("choice")).get("member0")).isEqualTo(13);
        assertThat(((Map<?, ?>) withNote.get("choice")).get("member1")).isNull();
        assertThat(withNote.get("ratio")).isEqualTo(1.3f);
        assertThat(result.rows().stream().filter(r -> r.get("ratio") == null)).hasSize(100);
        assertThat(result.rows().stream().filter(r -> r.get("note") != null)).hasSize(50);
    }

    @Test
    void statsMatchTheDataTheyDescribe(@TempDir Path dir) throws Exception {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        List<DataFile> files = TestTables.write(table, TestTables.events(schema, 100, 400));
        table.commit(new BatchCommit("p", "i1", 0, files, List.of(), Map.of()));

        assertThat(files).hasSize(1);
        JsonNode stats = JSON.readTree(table.snapshot().files().get(0).statsJson());
        assertThat(stats.get("numRecords").asLong()).isEqualTo(300);
        JsonNode min = stats.get("minValues");
        JsonNode max = stats.get("maxValues");
        JsonNode nulls = stats.get("nullCount");
        assertThat(min.get("id").asLong()).isEqualTo(100);
        assertThat(max.get("id").asLong()).isEqualTo(399);
        assertThat(min.get("name").asText()).isEqualTo("event-100");
        assertThat(max.get("name").asText()).isEqualTo("event-399");
        assertThat(max.get("price").asDouble()).isEqualTo(399 * 0.25);
        assertThat(min.get("created_at").asText()).isEqualTo(Instant.ofEpochMilli(TestTables.BASE_MILLIS + 100 * 60_000L)
                .toString().replace("Z", ".000Z"));
        assertThat(max.get("day").asText()).isEqualTo(LocalDate.ofEpochDay(20_002).toString());
        assertThat(min.get("amount").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(max.get("amount").decimalValue()).isEqualByComparingTo("3.99");
        assertThat(min.get("customer").get("email").asText()).isEqualTo("c100@example.com");
        assertThat(nulls.get("ratio").asLong()).isEqualTo(60);
        assertThat(nulls.get("note").asLong()).isEqualTo(270);
        assertThat(nulls.get("customer").get("tier").asLong()).isEqualTo(75);
        assertThat(min.has("active")).as("no min/max for booleans").isFalse();
        assertThat(min.has("payload")).as("no min/max for binary").isFalse();
        assertThat(min.has("tags")).as("nothing inside arrays").isFalse();
    }

    @Test
    void anIndependentReaderSkipsFilesByTheirStats(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        for (int b = 0; b < 4; b++) {
            table.commit(new BatchCommit("p", "i1", b, TestTables.write(table, TestTables.events(schema, b * 100L, b * 100L + 100)),
                    List.of(), Map.of()));
        }
        assertThat(KernelReader.filesScannedWhereGreaterThan(dir.toString(), "id", -1)).isEqualTo(4);
        assertThat(KernelReader.filesScannedWhereGreaterThan(dir.toString(), "id", 250)).isEqualTo(2);
        assertThat(KernelReader.filesScannedWhereGreaterThan(dir.toString(), "id", 399)).isZero();
    }

    @Test
    void partitionsByIdentityAndDerivedDayInHiveDirectories(@TempDir Path dir) throws Exception {
        PartitionSpec spec = PartitionSpec.of(PartitionField.identity("status"),
                PartitionField.derived("created_at", PartitionTransform.DAY, "event_date"));
        LakeTable table = LakeTable.open(TestTables.options(dir).partitionSpec(spec).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        // 3,000 minutes span three UTC days.
        List<DataFile> files = TestTables.write(table, TestTables.events(schema, 0, 3_000));
        table.commit(new BatchCommit("p", "i1", 0, files, List.of(), Map.of()));

        assertThat(files).hasSize(6).allSatisfy(f -> assertThat(f.path()).matches("status=(NEW|PAID)/event_date=\\d{4}-\\d{2}-\\d{2}/part-.*\\.parquet"));
        try (Stream<Path> paths = Files.walk(dir)) {
            assertThat(paths.filter(p -> p.toString().endsWith(".crc"))).as("no checksum files").isEmpty();
        }
        KernelReader.Result result = KernelReader.read(dir.toString());
        assertThat(result.partitionColumns()).containsExactly("status", "event_date");
        assertThat(result.rows()).hasSize(3_000).allSatisfy(row -> {
            long id = (Long) row.get("id");
            assertThat(row.get("status")).isEqualTo(id % 3 == 0 ? "PAID" : "NEW");
            LocalDate expectedDay = LocalDate.ofInstant(Instant.ofEpochMilli(TestTables.BASE_MILLIS + id * 60_000L), ZoneOffset.UTC);
            assertThat(row.get("event_date")).isEqualTo((int) expectedDay.toEpochDay());
        });
        DataFile sample = files.get(0);
        assertThat(sample.partitionValues()).containsKeys("status", "event_date");
        JsonNode stats = JSON.readTree(sample.statsJson());
        assertThat(stats.get("minValues").has("status")).as("partition columns are not in the files").isFalse();
    }

    @Test
    void rollsFilesAtTheTargetSize(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).targetFileSizeBytes(1024 * 1024).codec("uncompressed").build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        List<DataFile> files = TestTables.write(table, TestTables.events(schema, 0, 60_000));
        assertThat(files.size()).isGreaterThan(2);
        assertThat(files.stream().mapToLong(DataFile::numRecords).sum()).isEqualTo(60_000);
        assertThat(files.stream().map(DataFile::path).distinct()).hasSize(files.size());
        // Every file but the last one of the batch (the remainder) reached the target before it was rolled.
        files.stream().sorted(Comparator.comparingLong(DataFile::sizeBytes).reversed()).limit(files.size() - 1)
                .forEach(f -> assertThat(f.sizeBytes()).isGreaterThan(900 * 1024L));
    }
}
