package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LakeTable#copyRows} on real tables: every type the appliance maps (nested structs, arrays, maps, unions,
 * decimals, enums, bytes, nulls at every depth) survives the column-by-column copy, read back by Delta Kernel;
 * files of an older schema are copied with the new columns null; a failure leaves no new file behind.
 */
class CopyRowsIT {

    private static final PartitionSpec SPEC = PartitionSpec.of(PartitionField.identity("status"));

    @Test
    void everyTypeAndEveryNullSurvivesTheColumnCopyWithTwoWritersAndStatisticsForSkipping(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).partitionSpec(SPEC)
                .targetFileSizeBytes(1L << 20).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        for (int batch = 0; batch < 6; batch++) {
            table.commit(new BatchCommit("p", "i", batch, TestTables.write(table, varied(schema, batch * 2_000L,
                    batch * 2_000L + 2_000)), List.of(), Map.of()));
        }
        List<Map<String, Object>> before = sorted(KernelReader.read(dir.toString()).rows());

        for (List<DataFile> partition : byPartition(table.snapshot().files())) {
            List<DataFile> copied = table.copyRows(partition, 2, 2);
            assertThat(copied).allSatisfy(f -> {
                assertThat(f.partitionValues()).isEqualTo(partition.get(0).partitionValues());
                assertThat(f.statsJson()).contains("\"numRecords\"", "\"minValues\"", "\"maxValues\"",
                        "\"nullCount\"");
            });
            assertThat(copied.stream().mapToLong(DataFile::numRecords).sum())
                    .isEqualTo(partition.stream().mapToLong(DataFile::numRecords).sum());
            table.rewrite(new FileRewrite(partition, copied, false, "OPTIMIZE", Map.of(), Map.of()));
        }

        assertThat(sorted(KernelReader.read(dir.toString()).rows())).isEqualTo(before);
        // The statistics of the copies let an engine skip files: ids beyond every file's maximum read nothing.
        assertThat(KernelReader.filesScannedWhereGreaterThan(dir.toString(), "id", 1_000_000L)).isZero();
    }

    @Test
    void filesFromBeforeASchemaChangeAreCopiedWithTheNewColumnsNullBesideCurrentOnes(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema v1 = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, varied(v1, 0, 500)), List.of(), Map.of()));
        Schema v2 = SchemaBuilder.record("Event").namespace("test").fields().optionalString("coupon").endRecord();
        Schema evolved = table.evolveSchema(merged(v1, v2)).avroSchema();
        List<GenericRecord> newer = varied(evolved, 500, 1_000);
        newer.forEach(r -> r.put("coupon", "C" + r.get("id")));
        table.commit(new BatchCommit("p", "i", 1, TestTables.write(table, newer), List.of(), Map.of()));
        List<Map<String, Object>> before = sorted(KernelReader.read(dir.toString()).rows());

        List<DataFile> files = table.snapshot().files();
        table.rewrite(new FileRewrite(files, table.copyRows(files, 1, 2), false, "OPTIMIZE", Map.of(), Map.of()));

        List<Map<String, Object>> after = sorted(KernelReader.read(dir.toString()).rows());
        assertThat(after).isEqualTo(before);
        assertThat(after).filteredOn(r -> (Long) r.get("id") < 500).allSatisfy(r -> assertThat(r.get("coupon")).isNull());
        assertThat(after).filteredOn(r -> (Long) r.get("id") >= 500)
                .allSatisfy(r -> assertThat(r.get("coupon")).isEqualTo("C" + r.get("id")));
        assertThat(table.snapshot().files()).hasSize(1);
    }

    @Test
    void filesFromBeforeANestedColumnWasAddedAreCopiedInEveryPartitionLayout(@TempDir Path dir) {
        // Plain-column partitions (several columns, a null value, a partition of one row) over files of two schemas:
        // the older files' rows go through parquet-avro's record writer, which holds back the nulls of the absent
        // nested column until it is flushed, while the newer files' rows are copied column by column into the same
        // files. Before the held-back nulls were flushed in order, rows of older files took the newer rows' nested
        // values, and a row group of only such rows failed with "writing empty page".
        PartitionSpec spec = PartitionSpec.of(PartitionField.identity("name"), PartitionField.identity("qty"));
        LakeTable table = LakeTable.open(TestTables.options(dir).partitionSpec(spec).build());
        Schema v1 = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        List<GenericRecord> older = varied(v1, 0, 3_001);
        older.forEach(r -> {
            r.put("name", (Long) r.get("id") == 3_000 ? "alone" : (Long) r.get("id") % 5 == 0 ? null : "EUR");
            r.put("qty", (int) ((Long) r.get("id") % 2));
        });
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, older), List.of(), Map.of()));
        Schema address = SchemaBuilder.record("Address").namespace("test").fields().optionalString("city")
                .endRecord();
        Schema v2 = SchemaBuilder.record("Event").namespace("test").fields().name("address")
                .type(SchemaBuilder.unionOf().nullType().and().type(address).endUnion()).withDefault(null)
                .endRecord();
        Schema evolved = table.evolveSchema(merged(v1, v2)).avroSchema();
        List<GenericRecord> newer = varied(evolved, 3_001, 6_000);
        Schema addressInTable = TableSchemas.nonNullBranches(evolved.getField("address").schema()).get(0);
        newer.forEach(r -> {
            r.put("name", (Long) r.get("id") % 5 == 0 ? null : "EUR");
            r.put("qty", (int) ((Long) r.get("id") % 2));
            if ((Long) r.get("id") % 2 == 0) {
                GenericRecord a = new GenericData.Record(addressInTable);
                a.put("city", "city-" + r.get("id"));
                r.put("address", a);
            }
        });
        table.commit(new BatchCommit("p", "i", 1, TestTables.write(table, newer), List.of(), Map.of()));
        table.commit(new BatchCommit("p", "i", 2, TestTables.write(table, varied(evolved, 6_000, 6_100)), List.of(),
                Map.of()));
        List<Map<String, Object>> before = sorted(KernelReader.read(dir.toString()).rows());

        for (List<DataFile> partition : byPartition(table.snapshot().files())) {
            List<DataFile> copied = table.copyRows(partition, 1, 2);
            table.rewrite(new FileRewrite(partition, copied, false, "OPTIMIZE", Map.of(), Map.of()));
        }

        List<Map<String, Object>> after = sorted(KernelReader.read(dir.toString()).rows());
        assertThat(after).hasSize(6_100).isEqualTo(before);
        assertThat(after).filteredOn(r -> "alone".equals(r.get("name"))).hasSize(1);
        assertThat(after).filteredOn(r -> r.get("name") == null).isNotEmpty();
    }

    @Test
    void aFileThatCannotBeReadFailsTheCopyNamingItAndLeavesNoNewFile(@TempDir Path dir) throws IOException {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        for (int batch = 0; batch < 8; batch++) {
            table.commit(new BatchCommit("p", "i", batch, TestTables.write(table, varied(schema, batch * 1_000L,
                    batch * 1_000L + 1_000)), List.of(), Map.of()));
        }
        List<DataFile> files = table.snapshot().files();
        DataFile lost = files.get(5);
        Files.delete(dir.resolve(lost.path()));
        List<Path> dataFilesBefore = dataFiles(dir);

        assertThatThrownBy(() -> table.copyRows(files, 2, 2))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining(lost.path());
        assertThat(dataFiles(dir)).containsExactlyInAnyOrderElementsOf(dataFilesBefore);
    }

    @Test
    void filesOfSeveralPartitionsAreRefused(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).partitionSpec(SPEC).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, varied(schema, 0, 10)), List.of(), Map.of()));
        assertThatThrownBy(() -> table.copyRows(table.snapshot().files(), 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one partition");
    }

    /** Events with nulls and empties at every depth: no tags, empty tags, no customer, empty attributes. */
    private static List<GenericRecord> varied(Schema schema, long from, long to) {
        List<GenericRecord> rows = TestTables.events(schema, from, to);
        for (GenericRecord row : rows) {
            long id = (Long) row.get("id");
            if (id % 11 == 0) {
                row.put("tags", null);
            } else if (id % 13 == 0) {
                row.put("tags", List.of());
            }
            if (id % 17 == 0) {
                row.put("customer", null);
            }
            if (id % 19 == 0) {
                row.put("attrs", Map.of());
            }
        }
        return rows;
    }

    private static Schema merged(Schema base, Schema extra) {
        List<Schema.Field> fields = new ArrayList<>();
        base.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        extra.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        return Schema.createRecord(base.getName(), null, base.getNamespace(), false, fields);
    }

    private static List<List<DataFile>> byPartition(List<DataFile> files) {
        Map<Map<String, String>, List<DataFile>> groups = new LinkedHashMap<>();
        files.forEach(f -> groups.computeIfAbsent(f.partitionValues(), k -> new ArrayList<>()).add(f));
        return new ArrayList<>(groups.values());
    }

    private static List<Path> dataFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
                    .toList();
        }
    }

    /** Rows ordered by id, byte arrays as hex and maps sorted, so equal contents compare equal. */
    private static List<Map<String, Object>> sorted(List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        rows.stream().sorted(Comparator.comparingLong(r -> (Long) r.get("id")))
                .forEach(r -> out.add(comparableMap(r)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> comparableMap(Map<?, ?> map) {
        Map<String, Object> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(k.toString(), comparable(v)));
        return copy;
    }

    private static Object comparable(Object value) {
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            return comparableMap(map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CopyRowsIT::comparable).toList();
        }
        return value;
    }
}
