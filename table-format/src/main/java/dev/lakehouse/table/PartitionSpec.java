package dev.lakehouse.table;

import java.util.List;

/**
 * The partition columns of a table, in directory order. Immutable. Identity columns are stored in the Delta log's
 * {@code partitionValues} and the directory names, not in the data files, as Delta readers expect.
 */
public record PartitionSpec(List<PartitionField> fields) {

    public PartitionSpec {
        fields = List.copyOf(fields);
        long distinct = fields.stream().map(PartitionField::column).distinct().count();
        if (distinct != fields.size()) {
            throw new IllegalArgumentException("partition columns must be distinct: " + fields);
        }
    }

    public static PartitionSpec unpartitioned() {
        return new PartitionSpec(List.of());
    }

    public static PartitionSpec of(PartitionField... fields) {
        return new PartitionSpec(List.of(fields));
    }

    public boolean isPartitioned() {
        return !fields.isEmpty();
    }

    public List<String> columns() {
        return fields.stream().map(PartitionField::column).toList();
    }
}
