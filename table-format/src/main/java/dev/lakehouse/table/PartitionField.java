package dev.lakehouse.table;

import java.util.Objects;

/**
 * One partition column.
 *
 * @param sourceField the top-level record field the value comes from
 * @param transform how the value is derived
 * @param column the partition column's name in the table: the source field's name for {@code IDENTITY}, a new
 *               column (e.g. {@code event_date}) for time transforms
 */
public record PartitionField(String sourceField, PartitionTransform transform, String column) {

    public PartitionField {
        Objects.requireNonNull(sourceField, "sourceField");
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(column, "column");
        if (transform == PartitionTransform.IDENTITY && !column.equals(sourceField)) {
            throw new IllegalArgumentException("an identity partition column keeps its field's name: '"
                    + sourceField + "', not '" + column + "'");
        }
    }

    /** Partition by the field's own value. */
    public static PartitionField identity(String field) {
        return new PartitionField(field, PartitionTransform.IDENTITY, field);
    }

    /** Partition by a value derived from a time field into a new column. */
    public static PartitionField derived(String sourceField, PartitionTransform transform, String column) {
        return new PartitionField(sourceField, transform, column);
    }
}
