package dev.lakehouse.ingest.settings;

import dev.lakehouse.table.DedupeHorizon;
import java.util.List;
import java.util.Objects;

/**
 * Whether a pipeline's table holds one row per key, and how records change it ({@code table.mode},
 * {@code table.key} and the settings beside them). {@link #APPEND} for a table that every record is appended to.
 *
 * @param columns the configured key columns (top level) of a table that holds one row per key: each batch is merged
 *        ({@link dev.lakehouse.table.KeyedMerge}), the newest row of a key replacing the table's, and a record with a
 *        null value (a tombstone) deleting its key's row. Empty: every record is appended, or, for a {@link #keyed()}
 *        table, the key is the one the table recorded at its creation, or else the fields of the Kafka key of the
 *        record that creates it (the engine's {@code TableKey})
 * @param keyed whether the table holds one row per key ({@code table.mode: upsert} or {@code dedupe}): with key
 *        columns configured, or with the key taken from the table or the Kafka key; true whenever there are columns
 * @param kafkaKeyColumn the column that holds each record's Kafka key, a primitive (text, a number), as the keyed
 *        table's only key column ({@code table.kafka-key-column}), for compacted topics whose values do not repeat
 *        their key; null when the key is read from the rows' own columns
 * @param versionColumn a keyed table's version column, or null: a row replaces its key's row only if its version is
 *        not lower, so late and reordered events never overwrite newer rows
 * @param insertOnly whether a keyed table only inserts ({@code table.mode: dedupe}): a row is added only if the
 *        table has none for its key, for producers that resend; tombstones are dead letters as in an append table
 * @param softDeletes whether a deletion keeps its key's row with {@code _deleted} true
 *        ({@code table.soft-deletes}) instead of removing it; a later row of the key replaces it
 * @param changeMetadata whether rows carry their change's metadata ({@code table.change-metadata}):
 *        {@code _op} (Debezium's {@code op}) and {@code _source_ts}
 * @param envelope how a record's value carries its row
 * @param dedupeHorizon with {@code insertOnly}, how far back a copy of a row is looked for
 *        ({@code table.dedupe-horizon} on {@code table.dedupe-time-column}); null: in the whole table
 */
public record KeyedTableSettings(List<String> columns, boolean keyed, String kafkaKeyColumn, String versionColumn,
                                 boolean insertOnly, boolean softDeletes, boolean changeMetadata, Envelope envelope,
                                 DedupeHorizon dedupeHorizon) {

    /** A table every record is appended to. */
    public static final KeyedTableSettings APPEND = new KeyedTableSettings(List.of(), false, null, null, false, false,
            false, Envelope.NONE, null);

    /**
     * @throws IllegalArgumentException naming the setting that needs another, or a key column that is not a name
     */
    public KeyedTableSettings {
        columns = kafkaKeyColumn != null ? List.of(kafkaKeyColumn) : List.copyOf(columns);
        keyed = keyed || !columns.isEmpty();
        Objects.requireNonNull(envelope, "envelope");
        if ((versionColumn != null || insertOnly) && !keyed) {
            throw new IllegalArgumentException("a version column and insert-only need a keyed table (key columns)");
        }
        if (softDeletes && (!keyed || insertOnly)) {
            throw new IllegalArgumentException("soft deletes need an upsert table (key columns, not insert-only)");
        }
        if (changeMetadata && envelope != Envelope.DEBEZIUM) {
            throw new IllegalArgumentException("change metadata columns come from Debezium's change events: they "
                    + "need the Debezium envelope");
        }
        if (dedupeHorizon != null && !insertOnly) {
            throw new IllegalArgumentException("a dedupe horizon needs an insert-only table (table.mode: dedupe)");
        }
        if (envelope == Envelope.DEBEZIUM && (!keyed || insertOnly)) {
            throw new IllegalArgumentException("a Debezium envelope needs a keyed table (key columns)");
        }
        for (String column : columns) {
            if (!column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("key column '" + column + "' must be the name of a top-level "
                        + "column");
            }
        }
    }

    /**
     * Whether a tombstone deletes its key's row (an upsert table). Also with Debezium's envelope, where the
     * tombstone follows the delete event: applying it again changes nothing, and when log compaction removed the
     * delete event before it was read, the tombstone is the deletion.
     */
    public boolean deletesOnTombstones() {
        return keyed && !insertOnly;
    }
}
