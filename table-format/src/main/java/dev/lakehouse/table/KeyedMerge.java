package dev.lakehouse.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.generic.GenericFixed;
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

    /**
     * @param keyColumns top-level columns of the table whose values identify a row
     * @throws IllegalArgumentException if a key column is not a column of the table
     */
    public KeyedMerge(LakeTable table, List<String> keyColumns) {
        this.table = Objects.requireNonNull(table, "table");
        this.keyColumns = List.copyOf(keyColumns);
        if (this.keyColumns.isEmpty()) {
            throw new IllegalArgumentException("a keyed table needs at least one key column");
        }
        org.apache.avro.Schema schema = table.snapshot().avroSchema();
        for (String column : this.keyColumns) {
            if (schema.getField(column) == null) {
                throw new IllegalArgumentException("key column '" + column + "' is not a column of " + table.location()
                        + " (its columns: " + schema.getFields().stream().map(org.apache.avro.Schema.Field::name)
                        .toList() + ")");
            }
        }
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
        for (RowChange change : changes) {
            List<Object> key = key(change.row());
            byKey.remove(key); // re-inserted last: the order of the batch's rows follows the latest change
            byKey.put(key, change);
        }
        RewriteConflictException lastConflict = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Plan plan = plan(byKey);
            Written written = write(plan, byKey);
            BatchCommit batch = new BatchCommit(pipeline, instanceId, batchId, written.files, offsets, parameters);
            MergeCommit merge = new MergeCommit(batch, plan.rewrite, written.metrics(plan), keyColumns,
                    plan.filesLive, plan.ranges::mayHold);
            try {
                CommitOutcome outcome = table.apply(merge);
                if (!outcome.committed()) {
                    return new MergeResult(outcome, 0, 0, 0, 0, 0, 0, 0, 0, attempt);
                }
                return new MergeResult(outcome, written.inserted, written.updated, written.deleted, written.copied,
                        plan.rewrite.size(), written.files.size(),
                        plan.rewrite.stream().mapToLong(DataFile::sizeBytes).sum(),
                        written.files.stream().mapToLong(DataFile::sizeBytes).sum(), attempt);
            } catch (RewriteConflictException conflict) {
                lastConflict = conflict; // a compaction took files this plan read: plan again on its result
            }
        }
        throw new CommitFailedException("merge of batch " + batchId + " into " + table.location() + " met a "
                + "concurrent rewrite in each of " + ATTEMPTS + " plans; nothing committed", lastConflict);
    }

    /** The files to rewrite, which changed keys the table holds, every file read, and which files may hold a key. */
    private record Plan(List<DataFile> rewrite, Set<List<Object>> found, Set<String> filesLive, KeyRanges ranges) {
    }

    private Plan plan(Map<List<Object>, RowChange> byKey) {
        KeyRanges ranges = new KeyRanges(byKey.keySet());
        List<DataFile> rewrite = new ArrayList<>();
        Set<List<Object>> found = new HashSet<>();
        Set<String> live = new HashSet<>();
        Set<String> projection = new LinkedHashSet<>(keyColumns);
        for (DataFile file : table.snapshot().files()) {
            live.add(file.path());
            if (!ranges.mayHold(file.statsJson())) {
                continue;
            }
            boolean holds = false;
            try (RowReader rows = table.openRows(file, projection)) {
                for (GenericRecord row = rows.next(); row != null; row = rows.next()) {
                    List<Object> key = key(row);
                    if (byKey.containsKey(key)) {
                        found.add(key);
                        holds = true;
                    }
                }
            }
            if (holds) {
                rewrite.add(file);
            }
        }
        return new Plan(rewrite, found, live, ranges);
    }

    /** The files a plan writes, and what they hold. */
    private static final class Written {
        List<DataFile> files = List.of();
        long inserted;
        long updated;
        long deleted;
        long copied;

        Map<String, String> metrics(Plan plan) {
            Map<String, String> metrics = new LinkedHashMap<>();
            metrics.put("numSourceRows", Long.toString(inserted + updated + deleted));
            metrics.put("numTargetRowsInserted", Long.toString(inserted));
            metrics.put("numTargetRowsUpdated", Long.toString(updated));
            metrics.put("numTargetRowsDeleted", Long.toString(deleted));
            metrics.put("numTargetRowsCopied", Long.toString(copied));
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
                        if (!byKey.containsKey(key(row))) {
                            main.write(row);
                            written.copied++;
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

    /** A row's key: its key columns' values, in a form that compares by value. */
    private List<Object> key(GenericRecord row) {
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
            Object value = row.get(column);
            if (value == null) {
                throw new IllegalArgumentException("key column '" + column + "' is null in " + row);
            }
            key.add(comparable(value));
        }
        return key;
    }

    private static Object comparable(Object value) {
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof ByteBuffer bytes) {
            return "0x" + HexFormat.of().formatHex(bytes.array(), bytes.arrayOffset() + bytes.position(),
                    bytes.arrayOffset() + bytes.limit());
        }
        if (value instanceof GenericFixed fixed) {
            return "0x" + HexFormat.of().formatHex(fixed.bytes());
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }

    /**
     * Which files can hold one of a set of keys, from the files' column statistics: a file whose range of a key
     * column excludes every changed key's value there is not read. Longs and strings are compared; other key types,
     * and files without statistics, are always read.
     */
    private final class KeyRanges {

        private final List<java.util.TreeSet<Object>> valuesPerColumn = new ArrayList<>();

        KeyRanges(Set<List<Object>> keys) {
            for (int c = 0; c < keyColumns.size(); c++) {
                java.util.TreeSet<Object> values = new java.util.TreeSet<>(KeyRanges::compare);
                for (List<Object> key : keys) {
                    Object value = key.get(c);
                    if (value instanceof Long || value instanceof String) {
                        values.add(value);
                    } else {
                        values = null;
                        break;
                    }
                }
                valuesPerColumn.add(values);
            }
        }

        boolean mayHold(String statsJson) {
            if (statsJson == null || statsJson.isEmpty()) {
                return true;
            }
            JsonNode stats = DeltaLogJson.readTree(statsJson);
            for (int c = 0; c < keyColumns.size(); c++) {
                java.util.TreeSet<Object> values = valuesPerColumn.get(c);
                if (values == null || values.isEmpty()) {
                    continue;
                }
                JsonNode min = stats.path("minValues").path(keyColumns.get(c));
                JsonNode max = stats.path("maxValues").path(keyColumns.get(c));
                Object low = bound(min, values.first());
                Object high = bound(max, values.first());
                // Strings' minimum is a prefix of the real one (so still a lower bound); a long maximum is left out.
                Object first = low == null ? values.first() : values.ceiling(low);
                if (first == null || (high != null && compare(first, high) > 0)) {
                    return false;
                }
            }
            return true;
        }

        /** A statistic as the type of the key's values, or null when absent or of another type. */
        private static Object bound(JsonNode stat, Object like) {
            if (like instanceof Long && stat.isIntegralNumber()) {
                return stat.asLong();
            }
            if (like instanceof String && stat.isTextual()) {
                return stat.asText();
            }
            return null;
        }

        /** Longs by value; strings by code point, as Parquet and Delta order them (UTF-8 bytes). */
        private static int compare(Object a, Object b) {
            if (a instanceof Long x && b instanceof Long y) {
                return Long.compare(x, y);
            }
            String s = (String) a;
            String t = (String) b;
            int i = 0;
            int j = 0;
            while (i < s.length() && j < t.length()) {
                int p = s.codePointAt(i);
                int q = t.codePointAt(j);
                if (p != q) {
                    return Integer.compare(p, q);
                }
                i += Character.charCount(p);
                j += Character.charCount(q);
            }
            return Integer.compare(s.length() - i, t.length() - j);
        }
    }
}
