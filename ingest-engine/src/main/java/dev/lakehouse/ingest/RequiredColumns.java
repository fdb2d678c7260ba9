package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The columns a pipeline's rows must have: its key, version and dedupe time columns (top level), and its
 * {@code required-columns} (dotted paths to nested ones). Checked against the table when the pipeline takes it, and
 * against each row: a row missing one is a dead letter. Stateless.
 */
final class RequiredColumns {

    private RequiredColumns() {
    }

    /**
     * @throws IllegalArgumentException naming the first column the table lacks, and the setting that names it
     */
    static void checkExist(PipelineSettings settings, List<String> keyColumns, String location, Schema tableSchema) {
        List<String> named = new ArrayList<>(keyColumns);
        if (settings.keys().versionColumn() != null) {
            named.add(settings.keys().versionColumn());
        }
        if (settings.keys().dedupeHorizon() != null) {
            named.add(settings.keys().dedupeHorizon().timeColumn());
        }
        for (String column : named) {
            if (tableSchema.getField(column) == null) {
                throw new IllegalArgumentException("pipeline " + settings.name() + ": key column '" + column + "' is "
                        + "not a column of table " + location + " (its columns: " + tableSchema.getFields().stream()
                        .map(Schema.Field::name).toList() + "); fix table.key, table.version-column or "
                        + "table.dedupe-time-column");
            }
        }
        for (String column : settings.requiredColumns()) {
            Schema type = tableSchema;
            for (String part : column.split("\\.")) {
                Schema record = type == null ? null : recordOf(type);
                Schema.Field field = record == null ? null : record.getField(part);
                if (field == null) {
                    throw new IllegalArgumentException("pipeline " + settings.name() + ": required column '" + column
                            + "' is not a column of table " + location + "; fix required-columns");
                }
                type = field.schema();
            }
        }
    }

    /**
     * The first required column that is null in the row: one of {@code required-columns}, or the dedupe time column
     * (without a time, a copy cannot be told within the horizon); null when none is.
     */
    static String firstNull(PipelineSettings settings, GenericRecord row) {
        for (String column : settings.requiredColumns()) {
            Object value = row;
            for (String part : column.split("\\.")) {
                value = value instanceof GenericRecord r && r.getSchema().getField(part) != null ? r.get(part) : null;
                if (value == null) {
                    return column;
                }
            }
        }
        if (settings.keys().dedupeHorizon() != null && row.get(settings.keys().dedupeHorizon().timeColumn()) == null) {
            return settings.keys().dedupeHorizon().timeColumn();
        }
        return null;
    }

    private static Schema recordOf(Schema type) {
        List<Schema> branches = type.isUnion() ? type.getTypes().stream()
                .filter(s -> s.getType() != Schema.Type.NULL).toList() : List.of(type);
        return branches.size() == 1 && branches.get(0).getType() == Schema.Type.RECORD ? branches.get(0) : null;
    }
}
