package dev.lakehouse.ingest.status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the table is behind Kafka, per partition: the log-end offsets the consumer learned with its last fetch
 * (no broker round trip), or, while paused (nothing is fetched, so those go stale), the broker's.
 */
public final class LagMeter {

    private static final Logger LOG = LoggerFactory.getLogger(LagMeter.class);

    private final String pipeline;
    private final Consumer<?, ?> consumer;
    private final java.util.function.Predicate<TopicPartition> owned;
    private final Supplier<Set<TopicPartition>> assignment;

    public LagMeter(String pipeline, Consumer<?, ?> consumer) {
        this(pipeline, consumer, partition -> true, consumer::assignment);
    }

    /**
     * @param owned which of the consumer's partitions are this table's (a consumer may read for many tables)
     * @param assignment the consumer's assignment, never modified: a consumer that reads for many tables answers
     *        each table's meter from one copy (the consumer copies its whole assignment on every ask, which made
     *        a lag report of a thousand tables a million set insertions)
     */
    public LagMeter(String pipeline, Consumer<?, ?> consumer, java.util.function.Predicate<TopicPartition> owned,
             Supplier<Set<TopicPartition>> assignment) {
        this.pipeline = pipeline;
        this.consumer = consumer;
        this.owned = owned;
        this.assignment = assignment;
    }

    /** The consumer's partitions that are this table's. */
    private Set<TopicPartition> assigned() {
        Set<TopicPartition> all = assignment.get();
        Set<TopicPartition> mine = new java.util.HashSet<>();
        for (TopicPartition partition : all) {
            if (owned.test(partition)) {
                mine.add(partition);
            }
        }
        return mine;
    }

    /** Whether the consumer has read up to the end of every partition it owns, as of its last fetch. */
    public boolean caughtUp() {
        Set<TopicPartition> assigned = assigned();
        if (assigned.isEmpty()) {
            return false;
        }
        for (TopicPartition partition : assigned) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isEmpty() || lag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    /** The log-end offsets of the assigned partitions among {@code partitions}, as of the last fetch. */
    public Map<TopicPartition, Long> logEndOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        Set<TopicPartition> assigned = assignment.get();
        for (TopicPartition partition : partitions) {
            if (!assigned.contains(partition)) {
                continue;
            }
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent()) {
                ends.put(partition, consumer.position(partition) + lag.getAsLong());
            }
        }
        return ends;
    }

    /**
     * The lag of each of {@code partitions} behind the table's next offsets, sorted by topic and partition; -1 where
     * either side is not known yet. Offsets the consumer read past that held no record (transaction markers,
     * aborted records, compacted-away offsets) are not lag: where no read record of a partition waits for a commit,
     * the lag counts from the consumer's position when that is past the table's offset. An idle transactional
     * partition, whose last offset is a commit marker, so shows 0, not 1 forever.
     *
     * @param awaitsCommit whether read records of a partition wait for a commit (they are lag until committed),
     *        given the table's next offset
     */
    public List<PartitionLag> lags(Collection<TopicPartition> partitions, Map<TopicPartition, Long> tableNextOffsets,
                            java.util.function.BiPredicate<TopicPartition, Long> awaitsCommit, boolean paused) {
        Map<TopicPartition, Long> ends = paused ? brokerLogEndOffsets() : logEndOffsets(partitions);
        Set<TopicPartition> assigned = assignment.get();
        List<PartitionLag> lags = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            long tableNext = tableNextOffsets.getOrDefault(partition, -1L);
            long end = ends.getOrDefault(partition, -1L);
            long from = tableNext;
            if (tableNext >= 0 && assigned.contains(partition) && !awaitsCommit.test(partition, tableNext)) {
                from = Math.max(tableNext, consumer.position(partition));
            }
            long lag = end >= 0 && tableNext >= 0 ? Math.max(0, end - from) : -1;
            lags.add(new PartitionLag(partition.topic(), partition.partition(), tableNext, end, lag));
        }
        lags.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        return lags;
    }

    /** Paused partitions are not fetched, so the fetch's lag goes stale: ask the broker instead. */
    private Map<TopicPartition, Long> brokerLogEndOffsets() {
        try {
            Set<TopicPartition> assigned = assigned();
            return assigned.isEmpty() ? Map.of() : consumer.endOffsets(assigned, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: end offsets not known while paused: {}", pipeline, e.toString());
            return Map.of();
        }
    }
}
