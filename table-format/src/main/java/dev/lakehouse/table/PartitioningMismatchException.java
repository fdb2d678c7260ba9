package dev.lakehouse.table;

import dev.lakehouse.table.delta.PartitionSpecs;

/**
 * The table exists with another partitioning than the configuration asks for. The partitioning of an existing
 * table cannot change; not retryable: fix the configuration, or write to a new table.
 */
public final class PartitioningMismatchException extends TableException {

    public PartitioningMismatchException(String location, PartitionSpec existing, PartitionSpec configured) {
        super("table " + location + " is partitioned by " + PartitionSpecs.format(existing)
                + " but the configuration says " + PartitionSpecs.format(configured)
                + "; the partitioning of an existing table cannot change");
    }
}
