package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed tables on real Delta tables, read back by Delta Kernel against a model of the expected rows computed
 * without the product's code: one row per key after upserts, deletes, a key moving partition and changes of one
 * key within a batch; only the files that held a changed key are rewritten; a replayed batch changes nothing; a
 * compaction between a merge's plan and its commit makes the merge plan again, never resurrect a row.
 */
class KeyedMergeIT {

    private static final Schema ROW = new Schema.Parser().parse("""
            {"type": "record", "name": "Customer", "namespace": "keyed", "fields": [
              {"name": "id", "type": "long"},
              {"name": "region", "type": "string"},
              {"name": "name", "type": "string"},
              {"name": "version", "type": "long"}]}""");

    @TempDir
    Path dir;

    private LakeTable table;
    private Schema schema;
    /** The expected table: id → "region/name/version". */
    private final TreeMap<Long, String> model = new TreeMap<>();

    @BeforeEach
    void createTable() {
        table = LakeTable.open(TestTables.options(dir)
                .partitionSpec(PartitionSpec.of(PartitionField.identity("region"))).build());
        schema = table.createIfAbsent(ROW).avroSchema();
    }

    private GenericRecord row(long id, String region, String name, long version) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("region", region);
        r.put("name", name);
        r.put("version", version);
        return r;
    }

    private RowChange upsert(long id, String region, String name, long version) {
        model.put(id, region + "/" + name + "/" + version);
        return RowChange.upsert(row(id, region, name, version));
    }

    private RowChange delete(long id) {
        model.remove(id);
        GenericRecord key = new GenericData.Record(schema);
        key.put("id", id);
        return RowChange.delete(key);
    }

    private MergeResult merge(LakeTable on, long batchId, long fromOffset, List<RowChange> changes) {
        return new KeyedMerge(on, List.of("id")).apply("customers", "a", batchId,
                List.of(new OffsetRange("customers", 0, fromOffset, fromOffset + changes.size())), changes, Map.of());
    }

    /** Ten batches of 100 new keys each: ten files per region, each holding a narrow range of ids. */
    private long loadThousandKeys() {
        long offset = 0;
        for (int b = 0; b < 10; b++) {
            List<RowChange> changes = new ArrayList<>();
            for (long id = b * 100L; id < (b + 1) * 100L; id++) {
                changes.add(upsert(id, id % 2 == 0 ? "eu" : "us", "n" + id, 1));
            }
            MergeResult result = merge(table, b, offset, changes);
            assertThat(result.inserted()).isEqualTo(100);
            assertThat(result.filesRemoved()).isZero();
            offset += changes.size();
        }
        return offset;
    }

    private Map<Long, String> tableRows() {
        Map<Long, String> rows = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(dir.toString()).rows()) {
            String previous = rows.put((Long) row.get("id"), row.get("region") + "/" + row.get("name") + "/"
                    + row.get("version"));
            assertThat(previous).as("one row for key %s", row.get("id")).isNull();
        }
        return rows;
    }

    @Test
    void upsertsAndDeletesLeaveOneRowPerKeyAndRewriteOnlyTheFilesThatHeldAChangedKey() {
        long offset = loadThousandKeys();
        Set<String> before = paths(table.snapshot().files());

        List<RowChange> changes = List.of(
                upsert(5, "us", "n5", 2), // a key moving from eu to us
                upsert(150, "eu", "renamed", 2),
                delete(7),
                delete(420),
                upsert(1_000, "eu", "new", 1),
                upsert(2_000, "us", "short-lived", 1), delete(2_000), // inserted and deleted in one batch
                upsert(300, "eu", "first", 2), upsert(300, "eu", "second", 3), // the last change of a key wins
                delete(5_000)); // a key the table never held
        MergeResult result = merge(table, 10, offset, changes);

        assertThat(tableRows()).isEqualTo(model);
        assertThat(result.outcome().committed()).isTrue();
        assertThat(result.inserted()).as("inserted").isEqualTo(1);
        assertThat(result.updated()).as("updated").isEqualTo(3);
        assertThat(result.deleted()).as("deleted").isEqualTo(2);
        // The table held 5 and 7 in batch 0's "us" file, 150, 300 and 420 in the "eu" files of batches 1, 3 and 4.
        assertThat(result.filesRemoved()).as("files rewritten").isEqualTo(4);
        Set<String> after = paths(table.snapshot().files());
        Set<String> kept = new HashSet<>(before);
        kept.retainAll(after);
        assertThat(before.size() - kept.size()).isEqualTo(result.filesRemoved());
        assertThat(result.copied()).as("rows copied from rewritten files")
                .isLessThanOrEqualTo(result.filesRemoved() * 50L);

        TableCommit latest = table.history(1).get(0);
        assertThat(latest.operation()).isEqualTo("MERGE");
        assertThat(latest.metrics()).containsEntry("numTargetRowsInserted", "1")
                .containsEntry("numTargetRowsUpdated", "3").containsEntry("numTargetRowsDeleted", "2")
                .containsEntry("numTargetFilesRemoved", Integer.toString(result.filesRemoved()));
        assertThat(latest.parameters().get("predicate")).isEqualTo("target.id = source.id");
        assertThat(table.txnVersion("customers/customers/0")).isEqualTo(offset + changes.size());
    }

    @Test
    void aReplayedBatchChangesNothing() {
        long offset = loadThousandKeys();
        List<RowChange> changes = List.of(delete(1), upsert(2, "eu", "again", 2));
        merge(table, 10, offset, changes);
        long version = table.snapshot().version();

        MergeResult replay = merge(table, 10, offset, changes);

        assertThat(replay.outcome().status()).isEqualTo(CommitOutcome.Status.DUPLICATE_BATCH);
        assertThat(table.snapshot().version()).isEqualTo(version);
        assertThat(tableRows()).isEqualTo(model);
    }

    @Test
    void aCompactionBetweenTheMergesPlanAndItsCommitMakesItPlanAgainAndResurrectsNothing() {
        long offset = loadThousandKeys();
        AtomicBoolean compacted = new AtomicBoolean();
        // Another process compacts the table after the merge read it and before it commits.
        LakeTable racing = new ForwardingLakeTable(table) {
            @Override
            public <R> R apply(TableChange<R> change) {
                if (change instanceof MergeCommit && compacted.compareAndSet(false, true)) {
                    for (String region : List.of("eu", "us")) {
                        List<DataFile> files = table.snapshot().files().stream()
                                .filter(f -> region.equals(f.partitionValues().get("region"))).toList();
                        table.rewrite(new FileRewrite(files, table.copyRows(files, 1, 1), false, "OPTIMIZE",
                                Map.of(), Map.of()));
                    }
                }
                return super.apply(change);
            }
        };

        MergeResult result = merge(racing, 10, offset, List.of(delete(3), delete(640), upsert(12, "eu", "x", 2)));

        assertThat(compacted).isTrue();
        assertThat(result.attempts()).as("planned again after the compaction").isEqualTo(2);
        assertThat(result.deleted()).isEqualTo(2);
        assertThat(tableRows()).as("deleted keys stay deleted, the update holds").isEqualTo(model);
    }

    @Test
    void twoWritersInsertingTheSameNewKeyAtOnceLeaveOneRow() {
        long offset = loadThousandKeys();
        AtomicBoolean raced = new AtomicBoolean();
        // Another instance (records of key 5,000 on another partition) merges the same new key after this merge
        // planned and before it commits: this one must see it and update it, not insert a second row.
        LakeTable racing = new ForwardingLakeTable(table) {
            @Override
            public <R> R apply(TableChange<R> change) {
                if (change instanceof MergeCommit && raced.compareAndSet(false, true)) {
                    new KeyedMerge(table, List.of("id")).apply("customers", "b", 0,
                            List.of(new OffsetRange("customers", 1, 0, 1)),
                            List.of(RowChange.upsert(row(5_000, "us", "from b", 1))), Map.of());
                }
                return super.apply(change);
            }
        };

        MergeResult result = merge(racing, 10, offset, List.of(upsert(5_000, "eu", "from a", 2)));

        assertThat(raced).isTrue();
        assertThat(result.attempts()).as("planned again after the other writer's insert").isEqualTo(2);
        assertThat(result.updated()).isEqualTo(1);
        assertThat(tableRows()).as("one row for the key, the later merge's").isEqualTo(model);
    }

    @Test
    void withAVersionColumnALateEventNeverOverwritesANewerRow() {
        long offset = loadThousandKeys(); // every key at version 1
        KeyedMerge versioned = new KeyedMerge(table, List.of("id"), "version", false);
        versioned.apply("customers", "a", 10, List.of(new OffsetRange("customers", 0, offset, offset + 3)),
                List.of(upsert(40, "eu", "v5", 5), upsert(41, "us", "v3", 3), upsert(43, "us", "v5", 5)), Map.of());

        String kept40 = model.get(40L);
        List<RowChange> late = new ArrayList<>();
        late.add(RowChange.upsert(row(40, "eu", "late v4", 4))); // older than the table's 5: skipped
        late.add(upsert(41, "us", "v7", 7));
        late.add(RowChange.upsert(row(41, "us", "reordered v6", 6))); // older than v7 in the same batch: skipped
        late.add(upsert(42, "eu", "v2", 2));
        late.add(delete(43)); // deleted, then created again at a lower version: the new row counts
        late.add(upsert(43, "us", "recreated v1", 1));
        MergeResult result = versioned.apply("customers", "a", 11,
                List.of(new OffsetRange("customers", 0, offset + 3, offset + 9)), late, Map.of());

        assertThat(model.get(40L)).isEqualTo(kept40);
        assertThat(tableRows()).isEqualTo(model);
        assertThat(result.updated()).isEqualTo(3);
        assertThat(result.skipped()).isEqualTo(3); // 40's late v4, 41's reordered v6, 43's deletion superseded
        assertThat(table.history(1).get(0).metrics()).containsEntry("numSourceRowsSkipped", "3");
    }

    @Test
    void insertOnlyKeepsTheFirstRowOfAKeyAndRewritesNothing() {
        long offset = loadThousandKeys();
        Set<String> before = paths(table.snapshot().files());
        KeyedMerge dedupe = new KeyedMerge(table, List.of("id"), null, true);
        List<RowChange> resent = new ArrayList<>();
        resent.add(RowChange.upsert(row(7, "us", "resent", 9))); // the table has key 7: not inserted
        resent.add(upsert(3_000, "eu", "first", 1));
        resent.add(RowChange.upsert(row(3_000, "eu", "duplicate", 2))); // the batch had it already
        MergeResult result = dedupe.apply("customers", "a", 10,
                List.of(new OffsetRange("customers", 0, offset, offset + 3)), resent, Map.of());

        assertThat(tableRows()).isEqualTo(model);
        assertThat(result.inserted()).isEqualTo(1);
        assertThat(result.skipped()).isEqualTo(2);
        assertThat(result.filesRemoved()).isZero();
        assertThat(paths(table.snapshot().files())).containsAll(before);
    }

    @Test
    void aDedupeHorizonSkipsOnlyCopiesWithinItAndReadsNoFileOlderThanIt() {
        Schema events = new Schema.Parser().parse("""
                {"type": "record", "name": "Event", "namespace": "keyed", "fields": [
                  {"name": "id", "type": "string"},
                  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                  {"name": "note", "type": "string"}]}""");
        LakeTable log = LakeTable.open(TestTables.options(dir.resolve("events")).build());
        Schema current = log.createIfAbsent(events).avroSchema();
        long day = 86_400_000_000L;
        long start = 1_767_225_600_000_000L; // 2026-01-01
        java.util.function.BiFunction<String, Long, RowChange> event = (id, at) -> {
            GenericRecord r = new GenericData.Record(current);
            r.put("id", id);
            r.put("at", at);
            r.put("note", id + "@" + at);
            return RowChange.upsert(r);
        };
        DedupeHorizon week = new DedupeHorizon("at", java.time.Duration.ofDays(7));
        // Ten daily batches of 50 events each: ten files, day 0 to day 9, whose id ranges all overlap (e000-e499),
        // so their key statistics exclude no file.
        for (int d = 0; d < 10; d++) {
            List<RowChange> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(event.apply(String.format("e%03d", i * 10 + d), start + d * day + i));
            }
            new KeyedMerge(log, List.of("id"), null, true).withDedupeHorizon(week).apply("events", "a", d,
                    List.of(new OffsetRange("events", 0, d * 50L, d * 50L + 50)), batch, Map.of());
        }
        // On day 12: a resend of day 0's e010 (outside the week: a new event), of day 8's e408 (within it: a copy),
        // and a new e900; a week back from day 12 leaves days 5 to 9, so days 0 to 4 are not read.
        MergeResult result = new KeyedMerge(log, List.of("id"), null, true).withDedupeHorizon(week).apply("events",
                "a", 10, List.of(new OffsetRange("events", 0, 500, 503)), List.of(
                        event.apply("e010", start + 12 * day), event.apply("e408", start + 12 * day),
                        event.apply("e900", start + 12 * day)), Map.of());

        assertThat(result.inserted()).as("e010 again after its week, and e900").isEqualTo(2);
        assertThat(result.skipped()).as("e408 within its week").isEqualTo(1);
        Map<String, String> metrics = log.history(1).get(0).metrics();
        assertThat(metrics).containsEntry("numTargetFilesBeforeSkipping", "10")
                .containsEntry("numTargetFilesAfterSkipping", "5");
        List<String> ids = new ArrayList<>();
        for (DataFile file : log.snapshot().files()) {
            try (RowReader rows = log.openRows(file, Set.of("id"))) {
                for (GenericRecord row = rows.next(); row != null; row = rows.next()) {
                    ids.add(row.get("id").toString());
                }
            }
        }
        assertThat(ids).hasSize(502).filteredOn("e010"::equals).hasSize(2);
        assertThat(ids).filteredOn("e408"::equals).hasSize(1);

        assertThatThrownBy(() -> new KeyedMerge(log, List.of("id"), null, true)
                .withDedupeHorizon(new DedupeHorizon("note", java.time.Duration.ofDays(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a timestamp or a date");
        assertThatThrownBy(() -> new KeyedMerge(log, List.of("id")).withDedupeHorizon(week))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("insert-only");
    }

    @Test
    void filesWhoseKeyBloomFiltersRuleOutEveryKeyAreNotRead() {
        Schema devices = new Schema.Parser().parse("""
                {"type": "record", "name": "Device", "namespace": "keyed", "fields": [
                  {"name": "id", "type": "string"}, {"name": "state", "type": "string"}]}""");
        LakeTable keyed = LakeTable.open(TestTables.options(dir.resolve("devices")).build());
        Schema current = keyed.createIfAbsent(devices, "", List.of("id")).avroSchema();
        java.util.function.BiFunction<Integer, String, RowChange> change = (n, state) -> {
            GenericRecord r = new GenericData.Record(current);
            r.put("id", java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) n.intValue(), (byte) (n >> 8)}).toString());
            r.put("state", state);
            return RowChange.upsert(r);
        };
        // Ten batches of 100 random ids: ten files whose id ranges all span nearly every id.
        for (int b = 0; b < 10; b++) {
            List<RowChange> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(change.apply(b * 100 + i, "new"));
            }
            new KeyedMerge(keyed, List.of("id")).apply("devices", "a", b,
                    List.of(new OffsetRange("devices", 0, b * 100L, b * 100L + 100)), batch, Map.of());
        }
        assertThat(keyed.snapshot().files()).hasSize(10)
                .allSatisfy(file -> assertThat(file.sizeBytes()).as("a small file's filter is small").isLessThan(40_000));
        MergeResult result = new KeyedMerge(keyed, List.of("id")).apply("devices", "a", 10,
                List.of(new OffsetRange("devices", 0, 1_000, 1_003)), List.of(change.apply(342, "updated"),
                        change.apply(5_000, "new"), change.apply(5_001, "new")), Map.of());

        assertThat(result.updated()).isEqualTo(1);
        assertThat(result.inserted()).isEqualTo(2);
        assertThat(result.filesRemoved()).as("only the file of id 342 rewritten").isEqualTo(1);
        assertThat(keyed.history(1).get(0).metrics()).containsEntry("numTargetFilesBeforeSkipping", "10")
                .containsEntry("numTargetFilesAfterSkipping", "1");
        long rows = 0;
        for (DataFile file : keyed.snapshot().files()) {
            rows += file.numRecords();
        }
        assertThat(rows).isEqualTo(1_002);
    }

    @Test
    void softDeletesKeepADeletedKeysRowMarkedAndALaterRowReplacesIt() {
        Schema withMarks = new Schema.Parser().parse("""
                {"type": "record", "name": "Customer", "namespace": "keyed", "fields": [
                  {"name": "id", "type": "long"},
                  {"name": "name", "type": "string"},
                  {"name": "_deleted", "type": ["null", "boolean"], "default": null},
                  {"name": "_op", "type": ["null", "string"], "default": null}]}""");
        LakeTable soft = LakeTable.open(TestTables.options(dir.resolve("soft")).build());
        Schema current = soft.createIfAbsent(withMarks).avroSchema();
        KeyedMerge merge = new KeyedMerge(soft, List.of("id"), null, false, "_deleted");
        java.util.function.BiFunction<Long, String, GenericRecord> live = (id, name) -> {
            GenericRecord r = new GenericData.Record(current);
            r.put("id", id);
            r.put("name", name);
            r.put("_deleted", false);
            r.put("_op", "c");
            return r;
        };
        java.util.function.BiFunction<Long, String, GenericRecord> deletion = (id, op) -> {
            GenericRecord r = new GenericData.Record(current);
            r.put("id", id);
            r.put("_deleted", true);
            r.put("_op", op);
            return r;
        };
        merge.apply("customers", "a", 0, List.of(new OffsetRange("customers", 0, 0, 3)), List.of(
                RowChange.upsert(live.apply(1L, "ada")), RowChange.upsert(live.apply(2L, "bob")),
                RowChange.upsert(live.apply(3L, "cy"))), Map.of());
        // 1 deleted, then deleted again (a tombstone after the delete event): the first deletion's marks stay.
        // 4 created and deleted within one batch: its row stays, marked, as over two batches.
        MergeResult result = merge.apply("customers", "a", 1, List.of(new OffsetRange("customers", 0, 3, 9)), List.of(
                RowChange.delete(deletion.apply(1L, "d")), RowChange.delete(deletion.apply(1L, null)),
                RowChange.delete(deletion.apply(2L, "d")), RowChange.delete(deletion.apply(9L, "d")),
                RowChange.upsert(live.apply(4L, "dan")), RowChange.delete(deletion.apply(4L, "d"))), Map.of());
        assertThat(result.deleted()).isEqualTo(2);
        merge.apply("customers", "a", 2, List.of(new OffsetRange("customers", 0, 9, 10)),
                List.of(RowChange.upsert(live.apply(2L, "bob again"))), Map.of());

        TreeMap<Long, String> rows = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(soft.location()).rows()) {
            assertThat(rows.put((Long) row.get("id"), row.get("name") + "/" + row.get("_deleted") + "/"
                    + row.get("_op"))).isNull();
        }
        assertThat(rows).isEqualTo(new TreeMap<>(Map.of(1L, "ada/true/d", 2L, "bob again/false/c",
                3L, "cy/false/c", 4L, "dan/true/d")));
    }

    private static Set<String> paths(List<DataFile> files) {
        Set<String> paths = new HashSet<>();
        files.forEach(f -> paths.add(f.path()));
        return paths;
    }
}
