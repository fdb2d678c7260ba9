package dev.lakehouse.table.parquet;

import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.PartitionTransform;
import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableSchemas;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Computes a record's partition values and the Hive-style directory they name. */
public final class PartitionValues {

    /** The directory name Hive, Spark and Delta use for a null partition value. */
    static final String NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

    private final PartitionSpec spec;
    private final int[] sourcePositions;
    private final Schema[] sourceTypes;

    /**
     * Checks that every partition field exists at the top level with a usable type.
     *
     * @throws SchemaMappingException naming the field otherwise
     */
    public static void validate(PartitionSpec spec, Schema tableSchema) {
        new PartitionValues(spec, tableSchema);
    }

    PartitionValues(PartitionSpec spec, Schema tableSchema) {
        this.spec = spec;
        int n = spec.fields().size();
        this.sourcePositions = new int[n];
        this.sourceTypes = new Schema[n];
        for (int i = 0; i < n; i++) {
            PartitionField field = spec.fields().get(i);
            Schema.Field source = tableSchema.getField(field.sourceField());
            if (source == null) {
                throw new SchemaMappingException(field.sourceField(), "the partition column '" + field.column()
                        + "' comes from this field, but the table schema has no such top-level field");
            }
            List<Schema> branches = TableSchemas.nonNullBranches(source.schema());
            if (branches.size() != 1) {
                throw new SchemaMappingException(field.sourceField(), "a partition field must have one type, not "
                        + TableSchemas.describe(source.schema()));
            }
            Schema type = branches.get(0);
            validate(field, type);
            sourcePositions[i] = source.pos();
            sourceTypes[i] = type;
        }
    }

    private static void validate(PartitionField field, Schema type) {
        LogicalType logical = type.getLogicalType();
        if (field.transform() == PartitionTransform.IDENTITY) {
            switch (type.getType()) {
                case STRING, ENUM, INT, LONG, BOOLEAN -> {
                    if (logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.TimestampMicros) {
                        throw new SchemaMappingException(field.sourceField(), "partitioning by a raw timestamp makes "
                                + "one directory per instant; use the day or hour transform");
                    }
                }
                default -> throw new SchemaMappingException(field.sourceField(), "cannot partition by a "
                        + TableSchemas.describe(type) + "; use a string, enum, int, long, boolean or date field");
            }
        } else if (!(logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.TimestampMicros
                || logical instanceof LogicalTypes.Date)) {
            throw new SchemaMappingException(field.sourceField(), "the " + field.transform().name().toLowerCase()
                    + " transform needs a timestamp-millis, timestamp-micros or date field, not "
                    + TableSchemas.describe(type));
        }
    }

    /** The record's partition values in spec order; null entries for null values. */
    List<String> of(GenericRecord record) {
        List<String> values = new ArrayList<>(sourcePositions.length);
        for (int i = 0; i < sourcePositions.length; i++) {
            values.add(value(spec.fields().get(i).transform(), sourceTypes[i], record.get(sourcePositions[i])));
        }
        return values;
    }

    private static String value(PartitionTransform transform, Schema type, Object raw) {
        if (raw == null) {
            return null;
        }
        LogicalType logical = type.getLogicalType();
        if (transform == PartitionTransform.IDENTITY) {
            if (logical instanceof LogicalTypes.Date) {
                return LocalDate.ofEpochDay(((Number) raw).longValue()).toString();
            }
            return raw.toString();
        }
        long micros;
        if (logical instanceof LogicalTypes.Date) {
            micros = ((Number) raw).longValue() * 86_400_000_000L;
        } else if (logical instanceof LogicalTypes.TimestampMillis) {
            micros = ((Number) raw).longValue() * 1_000L;
        } else {
            micros = ((Number) raw).longValue();
        }
        return transform.fromEpochMicros(micros);
    }

    /** {@code col1=v1/col2=v2}, values escaped as Hive does, nulls as {@value #NULL_PARTITION}. */
    String directory(List<String> values) {
        StringBuilder dir = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                dir.append('/');
            }
            String v = values.get(i);
            dir.append(escape(spec.fields().get(i).column())).append('=')
                    .append(v == null ? NULL_PARTITION : escape(v));
        }
        return dir.toString();
    }

    /** Hive's path escaping: characters that are special in paths or URIs become %XX. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c == 0x7f || "\"#%'*/:=?\\{[]^".indexOf(c) >= 0) {
                out.append('%').append(String.format("%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
