package dev.lakehouse.table;

import java.util.Objects;
import org.apache.avro.generic.GenericRecord;

/**
 * One change to a keyed table: the row that is now the one for its key, or the deletion of its key.
 *
 * @param row a record of the table's current schema; for a deletion only its key columns are read
 * @param delete whether the key's row is deleted rather than replaced
 */
public record RowChange(GenericRecord row, boolean delete) {

    public RowChange {
        Objects.requireNonNull(row, "row");
    }

    public static RowChange upsert(GenericRecord row) {
        return new RowChange(row, false);
    }

    public static RowChange delete(GenericRecord key) {
        return new RowChange(key, true);
    }
}
