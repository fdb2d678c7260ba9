package dev.lakehouse.ingest;

import dev.lakehouse.table.OffsetRange;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group's offsets, committed for monitoring tools only (lag in Kafka UIs, {@code kafka-consumer-groups}):
 * the engine never reads them back, the table holds the real ones. So a commit that fails costs only the monitoring,
 * and is logged at debug level.
 */
final class GroupOffsets {

    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsets.class);
    /**
     * How long a commit on a stop or a revocation may take; the client's default minute held up the stop of a
     * deleted topic's pipeline, whose commits are retried until they time out.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private GroupOffsets() {
    }

    /** After a table commit: the batch's next offsets of the partitions still assigned, without waiting. */
    static void afterBatch(Consumer<byte[], byte[]> consumer, Collection<OffsetRange> ranges, String pipeline) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (OffsetRange range : ranges) {
            TopicPartition partition = new TopicPartition(range.topic(), range.partition());
            if (assigned.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(range.nextOffset()));
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    LOG.debug("pipeline {}: group offset commit failed (monitoring only): {}", pipeline,
                            error.toString());
                }
            });
        }
    }

    /**
     * On a stop or a revocation (the partitions are still ours until the callback returns): {@code offsets}, in one
     * request for however many tables (a fan-in's tables share one consumer).
     *
     * @param when "stop" or "revocation", for the log
     */
    static void commitNow(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets,
                          String pipeline, String when) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: group offsets not committed on {} (monitoring only): {}", pipeline, when,
                    e.toString());
        }
    }
}
