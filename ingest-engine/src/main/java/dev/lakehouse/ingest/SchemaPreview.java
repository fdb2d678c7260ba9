package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.IncompatibleSchemaPolicy;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.table.IncompatibleSchemaChangeException;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * What a pipeline's table would become if a producer shipped a writer schema, decided by the rules ingestion
 * applies to a record of that schema (the same additions of the pipeline's own columns, the same merge, the same
 * checks of key, version, required and partition columns), without changing anything: {@code lakehouse schema
 * check}, for a producer's CI before the schema ships.
 */
public final class SchemaPreview {

    /**
     * The verdict.
     *
     * @param accepted whether records of the schema would become rows
     * @param report what would happen, a line per point: columns created or added with their types, what is refused
     *               and what would happen to such records
     */
    public record Result(boolean accepted, List<String> report) {
    }

    private SchemaPreview() {
    }

    /**
     * @param partitionSpec the partitioning the pipeline creates the table with (the table's own once it exists)
     * @param deadLetters where the pipeline's dead letters go, for the report; null when nowhere
     */
    public static Result preview(PipelineSettings settings, LakeTable table, PartitionSpec partitionSpec,
                                 String deadLetters, Schema writer) {
        List<String> report = new ArrayList<>();
        Schema withOwnColumns;
        try {
            withOwnColumns = OwnColumns.addTo(writer, settings);
        } catch (KafkaMetadataColumn.NameTakenException e) {
            return refused(settings, deadLetters, report, e.getMessage());
        }
        Schema tableAfter;
        if (!table.exists()) {
            try {
                tableAfter = TableSchemas.normalize(withOwnColumns);
                Map<String, String> columns = TableSchemas.columns(tableAfter);
                report.add("the table does not exist yet: the first record would create " + table.location()
                        + " with " + columns.size() + " columns:");
                columns.forEach((name, type) -> report.add("  + " + name + " " + type));
            } catch (SchemaMappingException e) {
                return refused(settings, deadLetters, report, e.getMessage());
            }
            for (PartitionField field : partitionSpec.fields()) {
                if (tableAfter.getField(field.sourceField()) == null) {
                    return refused(settings, deadLetters, report, "the table is partitioned by '"
                            + field.sourceField() + "', which the schema lacks");
                }
            }
            report.add("  partitioned by " + (partitionSpec.isPartitioned() ? partitionSpec.columns() : "nothing"));
        } else {
            Schema current = table.snapshot().avroSchema();
            try {
                tableAfter = TableSchemas.merge(current, withOwnColumns);
                Map<String, String> before = TableSchemas.columns(current);
                Map<String, String> after = TableSchemas.columns(tableAfter);
                if (tableAfter == current) {
                    report.add("no change: table " + table.location() + " holds records of this schema as it is ("
                            + before.size() + " columns)");
                } else {
                    report.add("the table's schema would evolve in a commit of its own before the first such record:");
                    after.forEach((name, type) -> {
                        String was = before.get(name);
                        if (was == null) {
                            report.add("  + " + name + " " + type + " (nullable; older rows read null)");
                        } else if (!was.equals(type)) {
                            report.add("  ~ " + name + " " + was + " -> " + type);
                        }
                    });
                }
                List<String> missing = new ArrayList<>(before.keySet());
                missing.removeAll(TableSchemas.columns(TableSchemas.normalize(withOwnColumns)).keySet());
                if (!missing.isEmpty()) {
                    report.add("  columns the schema lacks stay in the table and read null in its rows: " + missing);
                }
            } catch (IncompatibleSchemaChangeException | SchemaMappingException e) {
                return refused(settings, deadLetters, report, e.getMessage());
            }
        }
        List<String> key = settings.keys().columns();
        if (settings.keys().keyed() && table.exists()) {
            try {
                key = TableKey.of(settings, table.snapshot(), table.location());
            } catch (IllegalArgumentException e) {
                return refused(settings, deadLetters, report, e.getMessage());
            }
        }
        List<String> named = new ArrayList<>(key);
        if (settings.keys().versionColumn() != null) {
            named.add(settings.keys().versionColumn());
        }
        for (String column : named) {
            if (tableAfter.getField(column) == null) {
                return refused(settings, deadLetters, report, "key or version column '" + column + "' is not a "
                        + "column of the table it would have");
            }
        }
        for (String column : settings.requiredColumns()) {
            if (tableAfter.getField(column.split("\\.")[0]) == null) {
                return refused(settings, deadLetters, report, "required column '" + column + "' is not a column of "
                        + "the table it would have");
            }
        }
        if (settings.keys().keyed()) {
            report.add("  keyed by " + (key.isEmpty() ? "the fields of the Kafka key of the record that creates it"
                    : key) + (settings.keys().versionColumn() == null ? "" : ", ordered by " + settings.keys().versionColumn()));
        }
        report.add("ACCEPTED: records of this schema would become rows");
        return new Result(true, report);
    }

    private static Result refused(PipelineSettings settings, String deadLetters, List<String> report, String why) {
        report.add("REFUSED: " + why);
        if (settings.failures().onIncompatibleSchema() == IncompatibleSchemaPolicy.FAIL || deadLetters == null) {
            report.add("records of this schema would stop the pipeline (FAILED) until the schema or the table is "
                    + "fixed" + (deadLetters == null ? ": it has no dead-letter destination"
                    : " (on-incompatible-schema: fail)"));
        } else {
            report.add("records of this schema would become INCOMPATIBLE_SCHEMA dead letters in " + deadLetters
                    + ", and the table would not change");
        }
        return new Result(false, report);
    }
}
