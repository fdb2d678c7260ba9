package dev.lakehouse.ingest.deadletter;

import dev.lakehouse.ingest.deadletter.DeadLetterSummaries.Example;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.RowReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads a dead-letter table in bounded memory: every letter's coordinates from a projection without the payload
 * columns (key, value and headers are never decompressed), one at a time, and then only the letters chosen as
 * examples whole, from their files only, with key and value cut for display.
 */
final class DeadLetterScan {

    private DeadLetterScan() {
    }

    /** How much of a letter's key and value an example holds: enough to recognise it, never a whole payload. */
    static final int EXAMPLE_BYTES = 4 * 1024;

    /** The columns that identify a letter and its state: everything a summary or the exactly-once scan needs. */
    private static final Set<String> COORDINATE_COLUMNS = Set.of("source_topic", "source_partition",
            "source_offset", "reason", "message", "replay_state", "dead_lettered_at");

    /** A stored letter without its payload, and the file that holds it. */
    record Coordinates(String topic, int partition, long offset, String reason, String message,
                ReplayState replayState, Instant deadLetteredAt, DataFile file) {
        String key() {
            return DeadLetterRows.key(topic, partition, offset);
        }
    }

    /**
     * Hands the coordinates of every letter in the files {@code fileFilter} admits to {@code each}, read without
     * payload columns and one at a time, so nothing grows with the number of letters.
     */
    static void forEachLetter(LakeTable table, Predicate<DataFile> fileFilter, Consumer<Coordinates> each) {
        if (!table.exists()) {
            return;
        }
        for (DataFile file : table.snapshot().files()) {
            if (!fileFilter.test(file)) {
                continue;
            }
            try (RowReader reader = table.openRows(file, COORDINATE_COLUMNS)) {
                for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                    Long deadAt = (Long) row.get("dead_lettered_at");
                    each.accept(new Coordinates(DeadLetterRows.str(row.get("source_topic")),
                            (Integer) row.get("source_partition"), (Long) row.get("source_offset"),
                            DeadLetterRows.str(row.get("reason")), DeadLetterRows.str(row.get("message")),
                            ReplayState.ofStored(DeadLetterRows.str(row.get("replay_state"))),
                            deadAt == null ? null : Instant.ofEpochMilli(deadAt), file));
                }
            }
        }
    }

    /** The chosen letters read whole from their files (and no others), with key and value cut for display. */
    static List<Example> examples(LakeTable table, Collection<Coordinates> chosen) {
        Map<String, Set<String>> keysByFile = new HashMap<>();
        Map<String, DataFile> files = new HashMap<>();
        for (Coordinates letter : chosen) {
            keysByFile.computeIfAbsent(letter.file().path(), k -> new HashSet<>()).add(letter.key());
            files.put(letter.file().path(), letter.file());
        }
        List<Example> examples = new ArrayList<>();
        for (Map.Entry<String, Set<String>> entry : keysByFile.entrySet()) {
            DataFile file = files.get(entry.getKey());
            try (RowReader reader = table.openRows(file)) {
                for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                    if (entry.getValue().contains(DeadLetterRows.key(row))) {
                        DeadLetterTable.StoredDeadLetter stored = DeadLetterRows.fromRow(row, file);
                        examples.add(new Example(cut(stored.letter()), stored.deadLetteredAt(),
                                stored.replayState()));
                    }
                }
            }
        }
        return examples;
    }

    /** The letter with key and value cut to {@link #EXAMPLE_BYTES}. */
    private static DeadLetter cut(DeadLetter letter) {
        return new DeadLetter(letter.topic(), letter.partition(), letter.offset(), letter.timestamp(),
                letter.timestampType(), cut(letter.key()), cut(letter.value()), letter.headers(), letter.reason(),
                letter.message(), letter.writerSchema());
    }

    private static byte[] cut(byte[] bytes) {
        return bytes == null || bytes.length <= EXAMPLE_BYTES ? bytes : Arrays.copyOf(bytes, EXAMPLE_BYTES);
    }
}
