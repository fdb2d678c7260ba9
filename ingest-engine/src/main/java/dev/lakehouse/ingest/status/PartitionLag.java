package dev.lakehouse.ingest.status;

/**
 * How far the table is behind one Kafka partition.
 *
 * @param tableNextOffset the next offset committed in the table for this pipeline, -1 if none yet
 * @param logEndOffset the partition's end offset as last seen by the consumer, -1 if not known yet
 * @param lag records in Kafka not yet in the table, -1 if not known
 */
public record PartitionLag(String topic, int partition, long tableNextOffset, long logEndOffset, long lag) {

    /** The sum of the known lags of {@code partitions} (unknown ones, -1, left out). */
    public static long total(java.util.List<PartitionLag> partitions) {
        return partitions.stream().mapToLong(PartitionLag::lag).filter(l -> l > 0).sum();
    }
}
