package dev.lakehouse.table.delta;

import dev.lakehouse.table.NotCreatedByApplianceException;
import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.PartitionTransform;
import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableSchemas;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.types.DataType;
import io.delta.standalone.types.DateType;
import io.delta.standalone.types.IntegerType;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * What the appliance keeps in a Delta table's metadata, and the schemas derived from it: the table's Avro schema
 * and partition spec (table properties), the Delta columns, the data files' schema.
 */
public final class TableMetadata {

    /** Table properties under this prefix belong to the appliance. */
    public static final String INTERNAL_PREFIX = "lakehouse.";
    static final String AVRO_SCHEMA_PROPERTY = "lakehouse.avro.schema";
    static final String PARTITION_SPEC_PROPERTY = "lakehouse.partition.spec";
    /** A keyed table's key columns, comma-separated (column names are identifiers, never holding a comma). */
    public static final String KEY_COLUMNS_PROPERTY = "lakehouse.key.columns";
    /** The commit parameter naming the writer schema behind a create or a schema change. */
    static final String WRITER_SCHEMA_PARAMETER = "writerSchema";

    private TableMetadata() {
    }

    /**
     * The table's Avro schema.
     *
     * @throws NotCreatedByApplianceException if the table lacks the appliance's schema property
     */
    static Schema avroSchema(Metadata metadata, String location) {
        String avro = metadata.getConfiguration().get(AVRO_SCHEMA_PROPERTY);
        if (avro == null) {
            throw new NotCreatedByApplianceException(location, AVRO_SCHEMA_PROPERTY);
        }
        return new Schema.Parser().parse(avro);
    }

    /** The table's partition spec. */
    static PartitionSpec partitionSpec(Metadata metadata) {
        return PartitionSpecs.parse(metadata.getConfiguration().get(PARTITION_SPEC_PROPERTY), metadata);
    }

    /** Table columns: the Avro schema's, plus derived (non-identity) partition columns. */
    static StructType deltaSchema(Schema tableSchema, PartitionSpec spec) {
        StructType base = AvroToDelta.toStructType(tableSchema);
        List<StructField> fields = new ArrayList<>(List.of(base.getFields()));
        for (PartitionField field : spec.fields()) {
            if (field.transform() == PartitionTransform.IDENTITY) {
                continue;
            }
            if (tableSchema.getField(field.column()) != null) {
                throw new SchemaMappingException(field.column(), "the derived partition column clashes with a "
                        + "record field of the same name; choose another column name");
            }
            DataType type = switch (field.transform()) {
                case YEAR -> new IntegerType();
                case DAY -> new DateType();
                default -> new StringType();
            };
            fields.add(new StructField(field.column(), type, true));
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    /** The schema of the data files: the table schema without identity partition columns. */
    static Schema fileSchema(Schema tableSchema, PartitionSpec spec) {
        List<String> identity = spec.fields().stream()
                .filter(f -> f.transform() == PartitionTransform.IDENTITY).map(PartitionField::column).toList();
        if (identity.isEmpty()) {
            return tableSchema;
        }
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : tableSchema.getFields()) {
            if (!identity.contains(f.name())) {
                fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
            }
        }
        return Schema.createRecord(tableSchema.getName(), tableSchema.getDoc(), tableSchema.getNamespace(), false, fields);
    }

    /** The columns {@code after} has and {@code before} lacks, as dotted paths into nested records. */
    static List<String> addedColumns(Schema before, Schema after) {
        List<String> added = new ArrayList<>();
        collectAdded(before, after, "", added);
        return added;
    }

    private static void collectAdded(Schema before, Schema after, String prefix, List<String> added) {
        for (Schema.Field f : after.getFields()) {
            String path = prefix.isEmpty() ? f.name() : prefix + "." + f.name();
            Schema.Field old = before.getField(f.name());
            if (old == null) {
                added.add(path);
                continue;
            }
            List<Schema> a = TableSchemas.nonNullBranches(f.schema());
            List<Schema> b = TableSchemas.nonNullBranches(old.schema());
            if (a.size() == 1 && b.size() == 1 && a.get(0).getType() == Schema.Type.RECORD
                    && b.get(0).getType() == Schema.Type.RECORD) {
                collectAdded(b.get(0), a.get(0), path, added);
            }
        }
    }
}
