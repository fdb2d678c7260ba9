package dev.lakehouse.ingest;

import dev.lakehouse.ingest.FanInMembers.Member;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.TopicIdLookup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rebalance listener of a {@link FanInRun}'s consumer: each table gets its share of an assignment, positioned at
 * its table's offsets, and hands over its share of a revocation or a loss. The ids of an assignment's topics are
 * looked up once for all its tables; the consumer's assignment is copied once per poll for all of them. Runs on the
 * poll thread, inside {@code poll()}.
 */
final class FanInHandOver implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(FanInHandOver.class);

    private final PipelineSettings settings;
    private final FanInMembers members;
    private Consumer<byte[], byte[]> consumer;
    private boolean closing;
    private boolean joined;
    private long assignedAtMillis;
    /**
     * The ids of the topics an assignment gave, looked up once for all of them while the tables position their
     * partitions; null outside that (see {@link #topicIds}).
     */
    private Map<String, String> assignedTopicIds;
    /** The consumer's assignment as last copied; null when it may have changed since (see {@link #assignment()}). */
    private Set<TopicPartition> assignmentCopy;

    FanInHandOver(PipelineSettings settings, FanInMembers members) {
        this.settings = settings;
        this.members = members;
    }

    void consumerOpened(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** The run is closing its consumer: revocations then hand nothing over (the tables finished already). */
    void closing() {
        closing = true;
    }

    /** Whether the group has given the run an assignment yet. */
    boolean joined() {
        return joined;
    }

    /** When the last assignment came, on the pipeline's clock; 0 before the first. */
    long assignedAtMillis() {
        return assignedAtMillis;
    }

    /**
     * The consumer's assignment, copied once per poll for all the tables (each table's lag report asks for it); a
     * rebalance, a poll or a new subscription drops the copy ({@link #assignmentMayHaveChanged()}).
     */
    Set<TopicPartition> assignment() {
        Set<TopicPartition> copy = assignmentCopy;
        if (copy == null) {
            copy = Set.copyOf(consumer.assignment());
            assignmentCopy = copy;
        }
        return copy;
    }

    /** Drops the copy of the assignment. */
    void assignmentMayHaveChanged() {
        assignmentCopy = null;
    }

    /** A table's lookup of its topics' ids: from the assignment's one request when it has them all. */
    Map<String, String> topicIds(Collection<String> topics, TopicIdLookup own) {
        Map<String, String> known = assignedTopicIds;
        if (known != null && known.keySet().containsAll(topics)) {
            Map<String, String> ids = new HashMap<>();
            topics.forEach(topic -> ids.put(topic, known.get(topic)));
            return ids;
        }
        return own.topicIds(topics);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        assignmentCopy = null;
        // Every given partition gets a position before any table seeks: a table that asks the consumer for a
        // position (a new table's start offsets) makes it resolve the positions of every assigned partition, and
        // with no reset policy (the engine's) one without a position fails the ask, blamed on that table. Each
        // table then seeks its own to its offsets; a table that fails has its partitions paused, and never commits
        // offsets that do not continue its table's.
        if (!partitions.isEmpty()) {
            consumer.seekToBeginning(partitions);
        }
        assignedTopicIds = lookUpTopicIds(partitions);
        try {
            positionTables(partitions);
        } finally {
            assignedTopicIds = null;
        }
        joined = true;
        members.joined();
        assignedAtMillis = settings.services().clock().millis();
        for (Member member : members.all()) {
            if (member.healthy()) {
                member.table.board().joined();
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        handOver(partitions, true);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        handOver(partitions, false);
    }

    /**
     * The ids of the given partitions' topics in one request, instead of one request (and one admin client) per
     * table; null when that request fails, and each table then asks for its own topic as it would alone.
     */
    private Map<String, String> lookUpTopicIds(Collection<TopicPartition> partitions) {
        Set<String> topics = new TreeSet<>();
        partitions.forEach(partition -> topics.add(partition.topic()));
        if (topics.size() < 2) {
            return null;
        }
        try {
            return settings.services().topicIds().topicIds(topics);
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: topic ids not read for all {} topics at once: {}", settings.name(), topics.size(),
                    e.toString());
            return null;
        }
    }

    private void positionTables(Collection<TopicPartition> partitions) {
        for (Map.Entry<String, List<TopicPartition>> entry : byTopic(partitions).entrySet()) {
            Member member = members.get(entry.getKey());
            List<TopicPartition> given = entry.getValue();
            if (member == null || !member.healthy()) {
                consumer.pause(given); // a failed, retrying or retired table reads nothing
                continue;
            }
            long start = System.nanoTime();
            if (members.safely(member, () -> member.lane.assigned(given))) {
                LOG.info("pipeline {}: assigned {} partitions in {} ms: {}", member.table.name(), given.size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), given);
            }
        }
    }

    private void handOver(Collection<TopicPartition> partitions, boolean owned) {
        assignmentCopy = null;
        if (closing || partitions.isEmpty()) {
            return;
        }
        byTopic(partitions).forEach((topic, taken) -> {
            Member member = members.get(topic);
            if (member != null && member.healthy()) {
                members.safely(member, () -> member.lane.handOver(taken, owned));
            }
        });
    }

    private static Map<String, List<TopicPartition>> byTopic(Collection<TopicPartition> partitions) {
        Map<String, List<TopicPartition>> grouped = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            grouped.computeIfAbsent(partition.topic(), t -> new ArrayList<>()).add(partition);
        }
        return grouped;
    }
}
