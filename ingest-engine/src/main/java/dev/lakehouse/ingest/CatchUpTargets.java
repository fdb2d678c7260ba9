package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a catch-up run ({@link PipelineSettings#catchUpOnly()}) ends: each partition's end offset, read once when
 * the partition is first assigned and kept across the runs of one pipeline (a run restarted after a transient
 * failure aims at the same ends, so a busy topic cannot keep a catch-up run going forever).
 *
 * <p>End offsets are the consumer's: with {@code read_committed} (the engine's setting) the last stable offset, so
 * an open transaction's records are left for a later run. Thread-safe.
 */
final class CatchUpTargets {

    private final Map<TopicPartition, Long> ends = new ConcurrentHashMap<>();

    /** Reads the end offsets of the partitions among {@code assigned} that have none yet. */
    void assigned(Collection<TopicPartition> assigned, Consumer<?, ?> consumer) {
        List<TopicPartition> fresh = assigned.stream().filter(p -> !ends.containsKey(p)).toList();
        if (!fresh.isEmpty()) {
            consumer.endOffsets(fresh).forEach((partition, end) -> ends.putIfAbsent(partition, end));
        }
    }

    /**
     * Reads the end offsets of partitions that started over (their topic deleted and created again) anew: the old
     * topic's ends say nothing of the new one's, and a run aiming at them could wait forever.
     */
    void startedOver(Collection<TopicPartition> partitions, Consumer<?, ?> consumer) {
        if (!partitions.isEmpty()) {
            partitions.forEach(ends::remove);
            assigned(partitions, consumer);
        }
    }

    /** Whether a record at {@code offset} of {@code partition} lies beyond the run's end, left for a later run. */
    boolean beyond(TopicPartition partition, long offset) {
        Long end = ends.get(partition);
        return end != null && offset >= end;
    }

    /**
     * Whether the consumer owns partitions and has read every one of them up to its end offset (its position is at
     * or past it: transaction markers count as read).
     */
    boolean reached(Consumer<?, ?> consumer) {
        return reached(consumer, partition -> true);
    }

    /**
     * As {@link #reached(Consumer)}, counting only the assigned partitions {@code counted} accepts (a consumer
     * reading for many tables does not wait for the partitions of a table that failed).
     */
    boolean reached(Consumer<?, ?> consumer, java.util.function.Predicate<TopicPartition> counted) {
        List<TopicPartition> assignment = consumer.assignment().stream().filter(counted).toList();
        if (assignment.isEmpty()) {
            return false;
        }
        for (TopicPartition partition : assignment) {
            Long end = ends.get(partition);
            if (end == null || consumer.position(partition) < end) {
                return false;
            }
        }
        return true;
    }

    /** The end offsets read so far, for the log. */
    Map<TopicPartition, Long> ends() {
        return Map.copyOf(ends);
    }
}
