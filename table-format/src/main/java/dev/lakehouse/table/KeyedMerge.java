package dev.lakehouse.table;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * Applies a batch of {@link RowChange}s to a table that holds one row per key, copy-on-write, in one
 * {@link MergeCommit} with the batch's offsets: the changes are collapsed per key (the last one wins); the files
 * whose key statistics ({@code minValues}/{@code maxValues}) can hold a changed key are read for their key columns
 * only; the files that do hold one are rewritten without the changed keys' rows; the surviving rows and the batch's
 * new rows are written to new files; and all of it is committed at once, or nothing.
 *
 * <p>Exactly once: the commit carries the batch id and offsets, so a batch applied again after a crash or by a
 * zombie changes nothing ({@code DUPLICATE_BATCH}, {@code REPLAYED_OFFSETS}). A compaction (or another merge) that
 * removed a file this merge read makes the commit fail with nothing committed; the merge is then planned again on
 * the new snapshot, up to {@value #ATTEMPTS} times, so a deleted row is never resurrected and an update never lost.
 * Files written for an attempt that did not commit are orphans for vacuum.
 *
 * <p>Not thread-safe; one merge per table at a time per process (a pipeline's writer).
 */
public final class KeyedMerge {

    /** Plans tried before a conflict is given up as {@link CommitFailedException}. */
    static final int ATTEMPTS = 5;

    private final LakeTable table;
    private final List<String> keyColumns;
    private final String versionColumn;
    private final boolean insertOnly;
    /** The boolean column that marks a deleted key's row, which then stays; null when deletions remove rows. */
    private final String softDeleteColumn;
    /** How far back an insert-only merge looks for a copy; null: the whole table. */
    private DedupeHorizon horizon;

    /**
     * Upserts: the newest change of a key (the last in the batch) replaces its row, a deletion removes it.
     *
     * @param keyColumns top-level columns of the table whose values identify a row
     * @throws IllegalArgumentException if a key column is not a column of the table
     */
    public KeyedMerge(LakeTable table, List<String> keyColumns) {
        this(table, keyColumns, null, false);
    }

    /**
     * @param versionColumn null, or a top-level column whose value orders a key's rows: a row replaces the table's
     *                      row of its key only if its version is not lower (late or reordered events are counted
     *                      as skipped, not applied), and within a batch the highest version of a key wins; a
     *                      deletion applies whatever the versions
     * @param insertOnly    {@code true} to insert a row only if the table has none for its key (the first in a batch
     *                      wins; deduplication of at-least-once producers): nothing is ever rewritten
     * @throws IllegalArgumentException if a key or version column is not a column of the table
     */
    public KeyedMerge(LakeTable table, List<String> keyColumns, String versionColumn, boolean insertOnly) {
        this(table, keyColumns, versionColumn, insertOnly, null);
    }

    /**
     * @param softDeleteColumn null, or a boolean column of the table: a deletion then keeps the key's row with this
     *                         column true and the deletion's other non-null, non-key columns (its change metadata)
     *                         written over the row's, instead of removing it; a later row of the key replaces it
     * @throws IllegalArgumentException if a key, version or soft-delete column is not a column of the table, or
     *                                  soft deletes are asked of an insert-only merge
     */
    public KeyedMerge(LakeTable table, List<String> keyColumns, String versionColumn, boolean insertOnly,
                      String softDeleteColumn) {
        this.softDeleteColumn = softDeleteColumn;
        if (softDeleteColumn != null && insertOnly) {
            throw new IllegalArgumentException("soft deletes need an upsert merge; an insert-only one never deletes");
        }
        this.table = Objects.requireNonNull(table, "table");
        this.keyColumns = List.copyOf(keyColumns);
        this.versionColumn = versionColumn;
        this.insertOnly = insertOnly;
        if (this.keyColumns.isEmpty()) {
            throw new IllegalArgumentException("a keyed table needs at least one key column");
        }
        org.apache.avro.Schema schema = table.snapshot().avroSchema();
        List<String> columns = new ArrayList<>(this.keyColumns);
        if (versionColumn != null) {
            columns.add(versionColumn);
        }
        if (softDeleteColumn != null) {
            columns.add(softDeleteColumn);
        }
        for (String column : columns) {
            if (schema.getField(column) == null) {
                throw new IllegalArgumentException("key column '" + column + "' is not a column of " + table.location()
                        + " (its columns: " + schema.getFields().stream().map(org.apache.avro.Schema.Field::name)
                        .toList() + ")");
            }
        }
    }

    /**
     * Makes this insert-only merge look for an earlier row of a key only within a horizon ({@link DedupeHorizon}):
     * a row whose key the table holds only at an older time than the horizon is inserted, and files older than the
     * batch's horizon are not read.
     *
     * @return this merge
     * @throws IllegalArgumentException if the merge is not insert-only, or the horizon's column is not a timestamp
     *                                  or date column of the table
     */
    public KeyedMerge withDedupeHorizon(DedupeHorizon horizon) {
        if (!insertOnly) {
            throw new IllegalArgumentException("a dedupe horizon needs an insert-only merge (table.mode: dedupe)");
        }
        horizon.checkColumn(table.snapshot().avroSchema(), table.location());
        this.horizon = horizon;
        return this;
    }

    /**
     * Applies {@code changes}, in the order they happened, as batch {@code batchId} with its offsets.
     *
     * @param parameters extra parameters for the history
     * @throws IllegalArgumentException if a change has a null key column
     * @throws CommitFailedException if every plan met a conflict, or every attempt failed; nothing committed
     * @throws StaleBatchException, OffsetGapException as {@link LakeTable#commit} does
     */
    public MergeResult apply(String pipeline, String instanceId, long batchId, List<OffsetRange> offsets,
                             List<RowChange> changes, Map<String, String> parameters) {
        Map<List<Object>, RowChange> byKey = new LinkedHashMap<>();
        // Keys deleted earlier in the batch: their last row replaces the table's whatever its version (the deletion
        // ended the old row's history; a key created again starts a new one).
        Set<List<Object>> deletedInBatch = new HashSet<>();
        long skippedInBatch = 0;
        for (RowChange change : changes) {
            List<Object> key = key(change.row());
            RowChange earlier = byKey.get(key);
            if (earlier != null && !supersedes(change, earlier)) {
                skippedInBatch++;
                continue;
            }
            if (earlier != null && earlier.delete() && change.delete() && softDeleteColumn != null) {
                // A deleted key deleted again (Debezium's tombstone after its delete event): the first deletion
                // keeps its metadata on the soft-deleted row.
                skippedInBatch++;
                continue;
            }
            if (earlier != null && !earlier.delete() && change.delete() && softDeleteColumn != null) {
                // Created or updated, then deleted, within the batch: its last row stays, marked, as it would
                // had the two changes come in two batches.
                change = RowChange.upsert(markedDeleted(copy(earlier.row()), change.row()));
            }
            if (change.delete()) {
                deletedInBatch.add(key);
            }
            skippedInBatch += earlier == null ? 0 : 1;
            byKey.remove(key); // re-inserted last: the order of the batch's rows follows the latest change
            byKey.put(key, change);
        }
        RewriteConflictException lastConflict = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Plan plan = plan(byKey, deletedInBatch);
            Written written = write(plan, plan.applied);
            written.skipped = skippedInBatch + (byKey.size() - plan.applied.size());
            BatchCommit batch = new BatchCommit(pipeline, instanceId, batchId, written.files, offsets, parameters);
            MergeCommit merge = new MergeCommit(batch, plan.rewrite, written.metrics(plan), keyColumns,
                    plan.filesLive, plan.ranges::mayHold);
            try {
                CommitOutcome outcome = table.apply(merge);
                if (!outcome.committed()) {
                    return new MergeResult(outcome, 0, 0, 0, 0, 0, 0, 0, 0, 0, attempt);
                }
                return new MergeResult(outcome, written.inserted, written.updated, written.deleted, written.copied,
                        written.skipped, plan.rewrite.size(), written.files.size(),
                        plan.rewrite.stream().mapToLong(DataFile::sizeBytes).sum(),
                        written.files.stream().mapToLong(DataFile::sizeBytes).sum(), attempt);
            } catch (RewriteConflictException conflict) {
                lastConflict = conflict; // a compaction took files this plan read: plan again on its result
            }
        }
        throw new CommitFailedException("merge of batch " + batchId + " into " + table.location() + " met a "
                + "concurrent rewrite in each of " + ATTEMPTS + " plans; nothing committed", lastConflict);
    }

    /**
     * The files to rewrite, the changes that apply (in batch order), which of their keys the table holds, every file
     * live when planned, and which files may hold a key.
     */
    private record Plan(List<DataFile> rewrite, Map<List<Object>, RowChange> applied, Set<List<Object>> found,
                        Set<String> filesLive, KeyRanges ranges, int filesRead) {
    }

    /** Whether {@code later} (after {@code earlier} in the batch) is the change of their key to keep. */
    private boolean supersedes(RowChange later, RowChange earlier) {
        if (insertOnly) {
            return false; // the first row of a key is the one inserted
        }
        if (versionColumn == null || later.delete() || earlier.delete()) {
            return true;
        }
        return KeyValues.compareVersions(later.row().get(versionColumn), earlier.row().get(versionColumn)) >= 0;
    }

    private Plan plan(Map<List<Object>, RowChange> byKey, Set<List<Object>> deletedInBatch) {
        KeyRanges ranges = new KeyRanges(keyColumns, byKey.keySet());
        Map<DataFile, List<List<Object>>> holders = new LinkedHashMap<>();
        Map<List<Object>, Object> tableVersions = new java.util.HashMap<>();
        Set<String> live = new HashSet<>();
        Set<String> projection = new LinkedHashSet<>(keyColumns);
        if (versionColumn != null) {
            projection.add(versionColumn);
        }
        long since = Long.MIN_VALUE;
        if (horizon != null) {
            projection.add(horizon.timeColumn());
            since = horizon.since(byKey.values().stream().map(RowChange::row).toList());
        }
        int filesRead = 0;
        for (DataFile file : table.snapshot().files()) {
            live.add(file.path());
            if (!ranges.mayHold(file.statsJson())
                    || (horizon != null && !horizon.mayHoldSince(file.statsJson(), since))
                    || !table.mayHoldAnyKey(file, keyColumns, byKey.keySet())) {
                continue; // by statistics, then by the file's key bloom filters
            }
            filesRead++;
            List<List<Object>> held = new ArrayList<>();
            try (RowReader rows = table.openRows(file, projection)) {
                for (GenericRecord row = rows.next(); row != null; row = rows.next()) {
                    List<Object> key = key(row);
                    RowChange change = byKey.get(key);
                    if (change != null && (horizon == null
                            || horizon.makesCopy(horizon.micros(row), horizon.micros(change.row())))) {
                        held.add(key);
                        if (versionColumn != null) {
                            tableVersions.put(key, row.get(versionColumn));
                        }
                    }
                }
            }
            if (!held.isEmpty()) {
                holders.put(file, held);
            }
        }
        Set<List<Object>> found = new HashSet<>();
        holders.values().forEach(found::addAll);
        // Which changes apply: not a key the table holds when only inserting; not an older version than the table's.
        Map<List<Object>, RowChange> applied = new LinkedHashMap<>();
        for (Map.Entry<List<Object>, RowChange> change : byKey.entrySet()) {
            boolean held = found.contains(change.getKey());
            if (insertOnly && (held || change.getValue().delete())) {
                continue;
            }
            if (held && versionColumn != null && !change.getValue().delete()
                    && !deletedInBatch.contains(change.getKey()) && KeyValues.compareVersions(
                    change.getValue().row().get(versionColumn), tableVersions.get(change.getKey())) < 0) {
                continue;
            }
            applied.put(change.getKey(), change.getValue());
        }
        List<DataFile> rewrite = new ArrayList<>();
        holders.forEach((file, keys) -> {
            if (keys.stream().anyMatch(applied::containsKey)) {
                rewrite.add(file);
            }
        });
        return new Plan(rewrite, applied, found, live, ranges, filesRead);
    }

    /** The files a plan writes, and what they hold. */
    private static final class Written {
        List<DataFile> files = List.of();
        long inserted;
        long updated;
        long deleted;
        long copied;
        long skipped;

        Map<String, String> metrics(Plan plan) {
            Map<String, String> metrics = new LinkedHashMap<>();
            metrics.put("numSourceRows", Long.toString(inserted + updated + deleted));
            metrics.put("numTargetRowsInserted", Long.toString(inserted));
            metrics.put("numTargetRowsUpdated", Long.toString(updated));
            metrics.put("numTargetRowsDeleted", Long.toString(deleted));
            metrics.put("numTargetRowsCopied", Long.toString(copied));
            metrics.put("numSourceRowsSkipped", Long.toString(skipped));
            // Delta's names for the files live and the files read for their keys (the rest skipped by statistics).
            metrics.put("numTargetFilesBeforeSkipping", Integer.toString(plan.filesLive.size()));
            metrics.put("numTargetFilesAfterSkipping", Integer.toString(plan.filesRead));
            metrics.put("numTargetFilesRemoved", Integer.toString(plan.rewrite.size()));
            metrics.put("numTargetFilesAdded", Integer.toString(files.size()));
            metrics.put("numTargetBytesRemoved", Long.toString(plan.rewrite.stream().mapToLong(DataFile::sizeBytes)
                    .sum()));
            metrics.put("numTargetBytesAdded", Long.toString(files.stream().mapToLong(DataFile::sizeBytes).sum()));
            return metrics;
        }
    }

    private Written write(Plan plan, Map<List<Object>, RowChange> byKey) {
        Written written = new Written();
        boolean anyRow = byKey.values().stream().anyMatch(c -> !c.delete());
        if (plan.rewrite.isEmpty() && !anyRow) {
            return written;
        }
        org.apache.avro.Schema current = table.snapshot().avroSchema();
        // Rows decoded before a schema change go to files of their own schema (readers fill the newer columns).
        Map<org.apache.avro.Schema, DataFileWriter> writers = new java.util.IdentityHashMap<>();
        try {
            DataFileWriter main = table.newDataFileWriter();
            writers.put(current, main);
            for (DataFile file : plan.rewrite) {
                try (RowReader rows = table.openRows(file)) {
                    for (GenericRecord row = rows.next(); row != null; row = rows.next()) {
                        RowChange change = byKey.get(key(row));
                        if (change == null) {
                            main.write(row);
                            written.copied++;
                        } else if (softDeleteColumn != null && change.delete()) {
                            main.write(markedDeleted(row, change.row()));
                        }
                    }
                }
            }
            for (Map.Entry<List<Object>, RowChange> change : byKey.entrySet()) {
                boolean held = plan.found.contains(change.getKey());
                if (change.getValue().delete()) {
                    written.deleted += held ? 1 : 0;
                    continue;
                }
                GenericRecord row = change.getValue().row();
                // By identity: rows decoded together share their schema instance, so a deep comparison with the
                // table's schema happens once per instance, not per row.
                DataFileWriter writer = writers.get(row.getSchema());
                if (writer == null) {
                    writer = row.getSchema().equals(current) ? main : table.newDataFileWriter(row.getSchema());
                    writers.put(row.getSchema(), writer);
                }
                writer.write(row);
                if (held) {
                    written.updated++;
                } else {
                    written.inserted++;
                }
            }
            List<DataFile> files = new ArrayList<>();
            for (DataFileWriter writer : new java.util.LinkedHashSet<>(writers.values())) {
                files.addAll(writer.finish());
            }
            written.files = files;
            writers.clear();
            return written;
        } finally {
            new java.util.HashSet<>(writers.values()).forEach(DataFileWriter::abort);
        }
    }

    /**
     * The table's row of a deleted key as a soft delete keeps it: the soft-delete column true, and the deletion's
     * other non-null columns (the change's metadata: its operation, its source time) over the row's.
     */
    private GenericRecord markedDeleted(GenericRecord row, GenericRecord deletion) {
        for (org.apache.avro.Schema.Field field : deletion.getSchema().getFields()) {
            Object value = deletion.get(field.pos());
            if (value != null && !keyColumns.contains(field.name()) && row.getSchema().getField(field.name()) != null) {
                row.put(field.name(), value);
            }
        }
        row.put(softDeleteColumn, Boolean.TRUE);
        return row;
    }

    private static GenericRecord copy(GenericRecord row) {
        return new org.apache.avro.generic.GenericData.Record((org.apache.avro.generic.GenericData.Record) row, false);
    }

    /** A row's key: its key columns' values, in a form that compares by value. */
    private List<Object> key(GenericRecord row) {
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
            Object value = row.get(column);
            if (value == null) {
                throw new IllegalArgumentException("key column '" + column + "' is null in " + row);
            }
            key.add(KeyValues.comparable(value));
        }
        return key;
    }
}
