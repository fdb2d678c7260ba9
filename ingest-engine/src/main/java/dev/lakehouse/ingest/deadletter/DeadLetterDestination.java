package dev.lakehouse.ingest.deadletter;

import java.util.List;
import java.util.Set;

/**
 * Where a pipeline keeps the records it could not ingest.
 *
 * <p><strong>Exactly once.</strong> A destination keeps each source record (topic, partition, offset) at most once:
 * {@link #write} skips letters it already holds, so a batch written again after a crash or by a second instance
 * adds nothing twice. The pipeline writes a batch's dead letters before committing the batch, so a committed batch
 * always has its dead letters; and on every seek it asks {@link #writtenFrom} which records past the table's
 * offsets are already dead letters, so a record is never both a row and a dead letter.
 *
 * <p>Failures to reach the destination are transient: the batch is not committed and the pipeline retries.
 */
public interface DeadLetterDestination extends AutoCloseable {

    /**
     * Stores the batch's dead letters that are not stored yet. Returns when they are durable.
     *
     * @throws RuntimeException if they could not be stored (transient: the batch is retried)
     */
    void write(DeadLetterBatch batch);

    /**
     * Offsets at or after {@code fromOffset} of one source partition that are already dead letters here.
     *
     * @param tableCommittedAt when the pipeline's table was last committed: a lower bound of when those records
     *        could have been written (they belong to batches after that commit)
     */
    Set<Long> writtenFrom(String topic, int partition, long fromOffset, java.time.Instant tableCommittedAt);

    /**
     * {@link #writtenFrom(String, int, long, java.time.Instant)} of several source partitions at once, as an
     * assignment needs it; destinations that read remote state read it once for all of them.
     *
     * @param fromOffsets per source partition, the first offset of interest
     * @return per source partition of {@code fromOffsets}, the offsets at or after it that are dead letters here
     */
    default java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> writtenFrom(
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> fromOffsets, java.time.Instant tableCommittedAt) {
        java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> found = new java.util.HashMap<>();
        fromOffsets.forEach((partition, from) -> found.put(partition,
                writtenFrom(partition.topic(), partition.partition(), from, tableCommittedAt)));
        return found;
    }

    /**
     * The highest batch id this destination committed under {@code batchAppId} ({@code <pipeline>@<instance>}), or
     * -1 when none or when the destination keeps no batch ids. A restarted instance numbers its batches after it.
     *
     * @throws RuntimeException if the destination cannot be read (transient: the run is retried)
     */
    default long lastBatchId(String batchAppId) {
        return -1;
    }

    /**
     * Partitions of a topic deleted and created again start over at these ranges: the destination forgets the
     * old topic's offsets of them (its letters stay), so the new topic's records are neither refused as replays
     * nor taken for letters already stored.
     *
     * @param batchId the batch id the main table's reset commit uses
     * @throws RuntimeException if the destination cannot be written (transient: the assignment is retried)
     */
    default void startOver(String pipeline, String instanceId, long batchId, List<dev.lakehouse.table.OffsetRange> ranges) {
    }

    /** Where the letters go, for logs and the console (for example a table URI or {@code kafka:topic}). */
    String describe();

    @Override
    default void close() {
    }

    /** No destination: a record that cannot be ingested stops the pipeline. */
    static DeadLetterDestination none() {
        return NoDeadLetters.INSTANCE;
    }

    /** Every destination gets every dead letter (for example a table and a topic). */
    static DeadLetterDestination all(List<DeadLetterDestination> destinations) {
        if (destinations.isEmpty()) {
            return none();
        }
        return destinations.size() == 1 ? destinations.get(0) : new CompositeDeadLetters(destinations);
    }

    /** Whether this is {@link #none()}. */
    default boolean isNone() {
        return false;
    }
}
