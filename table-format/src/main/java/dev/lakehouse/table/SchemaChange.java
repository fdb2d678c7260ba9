package dev.lakehouse.table;

import java.time.Instant;
import java.util.List;

/**
 * One step of a table's schema history: the version that created the table or added columns.
 *
 * @param version the table version of the change
 * @param timestamp when it was committed
 * @param operation {@code CREATE TABLE} or {@code ADD COLUMNS}
 * @param addedColumns the columns the change introduced, as dotted paths ({@code customer.tier}); every column
 *        for the table's creation
 * @param writerSchema which writer schema caused it (for Avro, {@code registry id <n>}), or empty when unknown
 * @param columnCount top-level columns after the change
 */
public record SchemaChange(long version, Instant timestamp, String operation, List<String> addedColumns,
                           String writerSchema, int columnCount) {
    public SchemaChange {
        addedColumns = List.copyOf(addedColumns);
    }
}
