package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading files back, swapping files in one commit, the schema history and forward-only offset commits. */
class FileRewriteIT {

    private static final PartitionSpec SPEC = PartitionSpec.of(PartitionField.identity("status"),
            PartitionField.derived("created_at", PartitionTransform.DAY, "event_date"));

    /** The event schema plus a top-level and a nested optional field. */
    private static Schema eventSchemaV2() {
        Schema v1 = TestTables.eventSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : v1.getFields()) {
            Schema type = f.schema();
            if (f.name().equals("customer")) {
                type = SchemaBuilder.record("Customer").namespace("test").fields()
                        .requiredString("email").optionalInt("tier").optionalString("segment").endRecord();
            }
            fields.add(new Schema.Field(f.name(), type, f.doc(), f.defaultVal()));
        }
        fields.add(new Schema.Field("coupon", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), null, org.apache.avro.JsonProperties.NULL_VALUE));
        return Schema.createRecord("Event", null, "test", false, fields);
    }

    @Test
    void rewritingEveryFileKeepsEveryRowAndTheOldFilesReadWithNewColumnsNull(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).partitionSpec(SPEC).build());
        Schema v1 = table.createIfAbsent(TestTables.eventSchema(), "registry id 1").avroSchema();
        for (int batch = 0; batch < 4; batch++) {
            table.commit(new BatchCommit("p", "i", batch, TestTables.write(table,
                    TestTables.events(v1, batch * 50L, batch * 50L + 50)), List.of(), Map.of()));
        }
        TableSnapshot evolved = table.evolveSchema(eventSchemaV2(), "registry id 2");
        KernelReader.Result before = KernelReader.read(dir.toString());

        List<DataFile> oldFiles = evolved.files();
        List<GenericRecord> rows = new ArrayList<>();
        for (DataFile file : oldFiles) {
            try (RowReader reader = table.openRows(file)) {
                for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                    assertThat(row.getSchema()).isEqualTo(evolved.avroSchema());
                    assertThat(row.get("coupon")).isNull();
                    assertThat(((GenericRecord) row.get("customer")).get("segment")).isNull();
                    assertThat(row.get("status").toString()).isEqualTo(file.partitionValues().get("status"));
                    rows.add(row);
                }
            }
        }
        assertThat(rows).hasSize(200);
        List<DataFile> newFiles = TestTables.write(table, rows);
        long version = table.rewrite(new FileRewrite(oldFiles, newFiles, false, "OPTIMIZE",
                Map.of("reason", "test"), Map.of()));

        TableCommit commit = table.history(1).get(0);
        assertThat(commit.version()).isEqualTo(version);
        assertThat(commit.operation()).isEqualTo("Manual Update");
        assertThat(commit.parameters()).containsEntry("operation", "OPTIMIZE").containsEntry("reason", "test");
        assertThat(commit.metrics()).containsEntry("numRemovedFiles", Integer.toString(oldFiles.size()))
                .containsEntry("numAddedFiles", Integer.toString(newFiles.size()));
        assertThat(table.snapshot().files()).extracting(DataFile::path)
                .containsExactlyInAnyOrderElementsOf(newFiles.stream().map(DataFile::path).toList());

        KernelReader.Result after = KernelReader.read(dir.toString());
        Comparator<Map<String, Object>> byId = Comparator.comparingLong(r -> (Long) r.get("id"));
        List<Map<String, Object>> expected = new ArrayList<>(before.rows());
        List<Map<String, Object>> actual = new ArrayList<>(after.rows());
        expected.sort(byId);
        actual.sort(byId);
        assertThat(comparable(actual)).isEqualTo(comparable(expected));

        // The same files again: someone (this very rewrite) removed them, so nothing is committed.
        assertThatThrownBy(() -> table.rewrite(new FileRewrite(oldFiles, List.of(), false, "OPTIMIZE", Map.of(), Map.of())))
                .isInstanceOfSatisfying(RewriteConflictException.class,
                        e -> assertThat(e.missingPaths()).hasSize(oldFiles.size()));
        assertThat(table.snapshot().version()).isEqualTo(version);
    }

    /** Rows with byte arrays as hex, so equal contents compare equal. */
    private static Object comparable(Object value) {
        if (value instanceof byte[] bytes) {
            return java.util.HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new java.util.TreeMap<>();
            map.forEach((k, v) -> copy.put(k.toString(), comparable(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(FileRewriteIT::comparable).toList();
        }
        return value;
    }

    @Test
    void schemaHistoryNamesTheColumnsEachVersionAddedAndTheWriterSchema(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        table.createIfAbsent(TestTables.eventSchema(), "registry id 1");
        table.commit(new BatchCommit("p", "i", 0, List.of(), List.of(), Map.of()));
        table.evolveSchema(eventSchemaV2(), "registry id 2");

        List<SchemaChange> history = table.schemaHistory();
        assertThat(history).hasSize(2);
        assertThat(history.get(0).version()).isZero();
        assertThat(history.get(0).operation()).isEqualTo("CREATE TABLE");
        assertThat(history.get(0).writerSchema()).isEqualTo("registry id 1");
        assertThat(history.get(0).addedColumns()).contains("id", "customer", "note");
        assertThat(history.get(1).version()).isEqualTo(2);
        assertThat(history.get(1).operation()).isEqualTo("ADD COLUMNS");
        assertThat(history.get(1).addedColumns()).containsExactly("customer.segment", "coupon");
        assertThat(history.get(1).writerSchema()).isEqualTo("registry id 2");
        assertThat(history.get(1).columnCount()).isEqualTo(history.get(0).columnCount() + 1);
    }

    @Test
    void forwardOnlyOffsetsMayJumpAheadButNeverBack(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        table.createIfAbsent(TestTables.eventSchema());
        OffsetRange first = new OffsetRange("t", 0, 10, 20);
        assertThat(table.commit(new BatchCommit("p", "i", 0, List.of(), List.of(first), Map.of(),
                BatchCommit.OffsetCheck.FORWARD_ONLY)).status()).isEqualTo(CommitOutcome.Status.COMMITTED);
        // A jump ahead (records 20..49 had nothing for this table) is fine...
        assertThat(table.commit(new BatchCommit("p", "i", 1, List.of(), List.of(new OffsetRange("t", 0, 50, 60)),
                Map.of(), BatchCommit.OffsetCheck.FORWARD_ONLY)).status()).isEqualTo(CommitOutcome.Status.COMMITTED);
        assertThat(table.txnVersion(first.appId("p"))).isEqualTo(60);
        // ...going back is a replay.
        assertThat(table.commit(new BatchCommit("p", "i", 2, List.of(), List.of(new OffsetRange("t", 0, 55, 70)),
                Map.of(), BatchCommit.OffsetCheck.FORWARD_ONLY)).status())
                .isEqualTo(CommitOutcome.Status.REPLAYED_OFFSETS);
        // The contiguous rule still refuses the same jump.
        assertThatThrownBy(() -> table.commit(new BatchCommit("p", "i", 3, List.of(),
                List.of(new OffsetRange("t", 0, 80, 90)), Map.of())))
                .isInstanceOf(OffsetGapException.class);
    }
}
