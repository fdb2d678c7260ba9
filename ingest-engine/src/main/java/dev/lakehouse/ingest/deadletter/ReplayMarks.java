package dev.lakehouse.ingest.deadletter;

import dev.lakehouse.ingest.deadletter.DeadLetterTable.StoredDeadLetter;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.FileRewrite;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.RowReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay state of a dead-letter table's letters ({@code replay_state}, {@code replay_id}, {@code replayed_at},
 * {@code replay_table_version}): what a replay reads to plan, without payloads, then reads whole a bounded part
 * at a time, and how it marks letters pending and replayed (rewriting the files that hold them, row by row).
 */
public final class ReplayMarks {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayMarks.class);

    private final LakeTable table;

    ReplayMarks(LakeTable table) {
        this.table = table;
    }

    /**
     * A stored letter's identity and replay state without its payload: what a replay plans with.
     *
     * @param deadLetteredAt null for letters of releases that did not record it
     */
    public record LetterState(String topic, int partition, long offset, DeadLetterReason reason,
                              ReplayState replayState, Long replayId, Long replayTableVersion, Instant deadLetteredAt,
                              DataFile file) {
        /** The letter's identity: its source coordinates, as {@link DeadLetterTable#key(DeadLetter)}. */
        public String key() {
            return DeadLetterRows.key(topic, partition, offset);
        }
    }

    private static final Set<String> STATE_COLUMNS = Set.of("source_topic", "source_partition", "source_offset",
            "reason", "replay_state", "replay_id", "replay_table_version", "dead_lettered_at");

    /**
     * The state of every stored letter, read without key, value, headers and message (their pages are never
     * decompressed): a few dozen bytes per letter whatever the payloads. Empty when the table does not exist yet.
     */
    public List<LetterState> states() {
        return table.exists() ? states(table.snapshot().files()) : new ArrayList<>();
    }

    private List<LetterState> states(List<DataFile> files) {
        List<LetterState> states = new ArrayList<>();
        Map<String, String> topics = new HashMap<>(); // one String per topic, not one per letter
        for (DataFile file : files) {
            try (RowReader reader = table.openRows(file, STATE_COLUMNS)) {
                for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                    String topic = topics.computeIfAbsent(DeadLetterRows.str(row.get("source_topic")), t -> t);
                    Long deadAt = (Long) field(row, "dead_lettered_at");
                    states.add(new LetterState(topic, (Integer) row.get("source_partition"),
                            (Long) row.get("source_offset"), DeadLetterReason.named(DeadLetterRows.str(row.get("reason"))),
                            ReplayState.ofStored(DeadLetterRows.str(field(row, "replay_state"))), (Long) field(row, "replay_id"),
                            (Long) field(row, "replay_table_version"),
                            deadAt == null ? null : Instant.ofEpochMilli(deadAt), file));
                }
            }
        }
        return states;
    }

    /**
     * The given letters read whole, in the order given, from the files that hold them and no others; or empty when
     * their keys, values and headers together come to more than {@code maxBytes} (then ask for fewer at a time).
     * Reading stops as soon as the bytes pass the bound, so memory never holds much more than it.
     */
    public java.util.Optional<List<StoredDeadLetter>> readWhole(List<LetterState> letters, long maxBytes) {
        Map<String, Integer> position = new HashMap<>();
        Map<String, DataFile> files = new java.util.LinkedHashMap<>();
        for (int i = 0; i < letters.size(); i++) {
            position.put(letters.get(i).key(), i);
            files.putIfAbsent(letters.get(i).file().path(), letters.get(i).file());
        }
        StoredDeadLetter[] read = new StoredDeadLetter[letters.size()];
        long bytes = 0;
        for (DataFile file : files.values()) {
            try (RowReader reader = table.openRows(file)) {
                for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                    Integer at = position.get(DeadLetterRows.key(row));
                    if (at == null || read[at] != null) {
                        continue;
                    }
                    read[at] = DeadLetterRows.fromRow(row, file);
                    bytes += payloadBytes(read[at].letter());
                    if (bytes > maxBytes && letters.size() > 1) {
                        return java.util.Optional.empty();
                    }
                }
            }
        }
        List<StoredDeadLetter> whole = new ArrayList<>(letters.size());
        for (StoredDeadLetter letter : read) {
            if (letter != null) { // gone meanwhile (a concurrent replay marked and a compaction moved it): skipped
                whole.add(letter);
            }
        }
        return java.util.Optional.of(whole);
    }

    private static long payloadBytes(DeadLetter letter) {
        long bytes = (letter.key() == null ? 0 : letter.key().length) + (letter.value() == null ? 0
                : letter.value().length);
        for (DeadLetter.HeaderValue header : letter.headers()) {
            bytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    /** A field of a projected row, null when the file predates the column. */
    private static Object field(GenericRecord row, String name) {
        return row.getSchema().getField(name) == null ? null : row.get(name);
    }

    /**
     * Rewrites the files holding {@code changes}' letters with their new replay state, in one commit; the other
     * rows of those files are kept as they are.
     *
     * @param changes the new state of each changed letter, keyed by {@link DeadLetterTable#key(DeadLetter)}
     * @return the committed version
     * @throws dev.lakehouse.table.RewriteConflictException if other writers rewrote those files meanwhile, three
     *         times in a row (a compaction of the dead-letter table that won the race is read again and retried)
     */
    public long updateReplayState(Map<String, ReplayMark> changes, String description) {
        for (int attempt = 1; ; attempt++) {
            try {
                return rewriteWithReplayState(changes, description);
            } catch (dev.lakehouse.table.RewriteConflictException e) {
                if (attempt == 3) {
                    throw e;
                }
                LOG.info("dead-letter table {}: {} met a concurrent rewrite (a compaction); reading it again",
                        table.location(), description);
            }
        }
    }

    private long rewriteWithReplayState(Map<String, ReplayMark> changes, String description) {
        // One snapshot for the schema and the listing: a compaction since makes the commit conflict. Which files
        // hold the changed letters comes from projected columns alone; only those are read whole, and streamed into
        // the new files row by row: memory holds a row, not a file.
        dev.lakehouse.table.TableSnapshot snapshot = table.snapshot();
        Schema schema = snapshot.avroSchema();
        List<DataFile> files = snapshot.files();
        Set<String> holding = new HashSet<>();
        for (LetterState letter : states(files)) {
            if (changes.containsKey(letter.key())) {
                holding.add(letter.file().path());
            }
        }
        List<DataFile> removed = new ArrayList<>();
        List<DataFile> added;
        try (DataFileWriter writer = table.newDataFileWriter()) {
            for (DataFile file : files) {
                if (!holding.contains(file.path())) {
                    continue;
                }
                removed.add(file);
                try (RowReader reader = table.openRows(file)) {
                    for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                        ReplayMark mark = changes.get(DeadLetterRows.key(row));
                        if (mark != null) {
                            GenericRecord copy = new GenericData.Record(schema);
                            for (Schema.Field f : schema.getFields()) {
                                copy.put(f.pos(), field(row, f.name()));
                            }
                            copy.put("replay_state", mark.state().stored());
                            copy.put("replay_id", mark.replayId());
                            copy.put("replayed_at", mark.replayedAt() == null ? null : mark.replayedAt().toEpochMilli());
                            copy.put("replay_table_version", mark.tableVersion());
                            row = copy;
                        }
                        writer.write(row);
                    }
                }
            }
            added = writer.finish();
        }
        return table.rewrite(new FileRewrite(removed, added, true, "UPDATE",
                Map.of("deadLetterReplay", description), Map.of("numUpdatedRows", Integer.toString(changes.size()))));
    }

    /** A new replay state for one dead letter. */
    public record ReplayMark(ReplayState state, Long replayId, Instant replayedAt, Long tableVersion) {
    }

}
