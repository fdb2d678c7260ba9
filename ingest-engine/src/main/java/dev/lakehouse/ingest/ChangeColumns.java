package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.KeyedTableSettings;
import dev.lakehouse.ingest.settings.PipelineSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A keyed table's optional change columns, appended to every writer schema like {@link KafkaMetadataColumn}:
 *
 * <ul>
 *   <li>{@value #DELETED} ({@code boolean}) with {@link KeyedTableSettings#softDeletes()}: true on a deleted key's row,
 *       which stays in the table; false on every other row.</li>
 *   <li>{@value #OPERATION} ({@code string}) and {@value #SOURCE_TIME} ({@code timestamp}) with
 *       {@link KeyedTableSettings#changeMetadata()}: Debezium's {@code op} of the change that made the row ({@code c},
 *       {@code u}, {@code r}; {@code d} on a soft-deleted row) and when the source database made it
 *       ({@code source.ts_ms}, else the event's {@code ts_ms}); and {@value #SOURCE_LSN} ({@code long}), the
 *       change's position in PostgreSQL's log ({@code source.lsn}), which grows with every change and so can be
 *       the table's {@code version-column} (null from databases whose events carry no single log position).</li>
 * </ul>
 *
 * Each is nullable; rows written before the setting was turned on hold null.
 */
final class ChangeColumns {

    static final String DELETED = "_deleted";
    static final String OPERATION = "_op";
    static final String SOURCE_TIME = "_source_ts";
    static final String SOURCE_LSN = "_source_lsn";

    private ChangeColumns() {
    }

    /** Whether the pipeline adds any change column. */
    static boolean any(PipelineSettings settings) {
        return settings.keys().softDeletes() || settings.keys().changeMetadata();
    }

    /**
     * {@code writer} with the pipeline's change columns appended.
     *
     * @throws KafkaMetadataColumn.NameTakenException if the writer schema has a field of one's name already
     */
    static Schema addTo(Schema writer, PipelineSettings settings) {
        return append(writer, columns(settings), true);
    }

    /**
     * The table schema with the change columns it lacks appended, or null when it has them all (a table created
     * before the setting was turned on gets them before its first deletion needs them).
     */
    static Schema missingFrom(Schema table, PipelineSettings settings) {
        List<Schema.Field> missing = new ArrayList<>();
        for (Schema.Field column : columns(settings)) {
            if (table.getField(column.name()) == null) {
                missing.add(column);
            }
        }
        return missing.isEmpty() ? null : append(table, missing, false);
    }

    private static List<Schema.Field> columns(PipelineSettings settings) {
        List<Schema.Field> added = new ArrayList<>();
        if (settings.keys().softDeletes()) {
            added.add(nullable(DELETED, Schema.create(Schema.Type.BOOLEAN)));
        }
        if (settings.keys().changeMetadata()) {
            added.add(nullable(OPERATION, Schema.create(Schema.Type.STRING)));
            added.add(nullable(SOURCE_TIME, LogicalTypes.timestampMillis().addToSchema(
                    Schema.create(Schema.Type.LONG))));
            added.add(nullable(SOURCE_LSN, Schema.create(Schema.Type.LONG)));
        }
        return added;
    }

    private static Schema append(Schema writer, List<Schema.Field> added, boolean refuseTaken) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : writer.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        for (Schema.Field column : added) {
            if (refuseTaken && writer.getField(column.name()) != null) {
                throw new KafkaMetadataColumn.NameTakenException("the writer schema " + writer.getFullName()
                        + " has a field named '" + column.name() + "', a column the pipeline's "
                        + (column.name().equals(DELETED) ? "table.soft-deletes" : "table.change-metadata")
                        + " setting adds; rename the field, or turn the setting off");
            }
            fields.add(column);
        }
        Schema copy = Schema.createRecord(writer.getName(), writer.getDoc(), writer.getNamespace(), writer.isError(),
                fields);
        writer.getObjectProps().forEach(copy::addProp);
        return copy;
    }

    /**
     * Sets the change columns of {@code row} (of the table schema, which has them): {@code deleted} for a soft
     * delete's marker, the change's operation and source time when known.
     */
    static void set(GenericRecord row, PipelineSettings settings, boolean deleted, String operation,
                    Long sourceTimeMillis, Long sourceLsn) {
        if (settings.keys().softDeletes()) {
            row.put(DELETED, deleted);
        }
        if (settings.keys().changeMetadata()) {
            row.put(OPERATION, operation);
            row.put(SOURCE_TIME, sourceTimeMillis);
            row.put(SOURCE_LSN, sourceLsn);
        }
    }

    private static Schema.Field nullable(String name, Schema type) {
        return new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), type), null,
                JsonProperties.NULL_VALUE);
    }
}
