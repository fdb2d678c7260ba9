package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.KeyedTableSettings;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.table.TableSnapshot;
import java.util.List;

/**
 * The key of a keyed table ({@link KeyedTableSettings#keyed()}): the columns its merges match rows by. A table
 * records its key when it is created ({@link dev.lakehouse.table.LakeTable#createIfAbsent(org.apache.avro.Schema,
 * String, List)}): the configured {@code table.key}, or, when none is configured, the fields of the Kafka key of
 * the record that created it. From then on the recorded key is the key, for every run and every writer, so a
 * pipeline over a whole database's change streams needs no key per table, and a key never changes under a table's
 * rows.
 */
final class TableKey {

    private TableKey() {
    }

    /**
     * The key of an existing table.
     *
     * @throws IllegalArgumentException (stopping the pipeline with the message) when the configured key differs
     *         from the one the table recorded, or when no key is configured and the table recorded none
     */
    static List<String> of(PipelineSettings settings, TableSnapshot table, String location) {
        List<String> configured = settings.keys().columns();
        List<String> recorded = table.keyColumns();
        if (!configured.isEmpty() && !recorded.isEmpty() && !configured.equals(recorded)) {
            throw new IllegalArgumentException("pipeline " + settings.name() + ": table " + location + " is keyed by "
                    + recorded + " since its creation, but table.key says " + configured + "; a table's key cannot "
                    + "change under its rows: set table.key to " + recorded + " (or remove it), or write to a new "
                    + "table");
        }
        if (!configured.isEmpty()) {
            return configured;
        }
        if (recorded.isEmpty()) {
            throw new IllegalArgumentException("pipeline " + settings.name() + ": table " + location + " records no "
                    + "key (it was created by an append pipeline, or before tables recorded their key), and table.key "
                    + "is not set; set table.key to the columns that identify a row");
        }
        return recorded;
    }
}
