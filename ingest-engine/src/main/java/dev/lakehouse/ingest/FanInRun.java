package dev.lakehouse.ingest;

import dev.lakehouse.ingest.FanInMembers.Member;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.TopicIdLookup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link TopicFanIn}: one consumer, subscribed to the topics of the fan-in's active tables, its polled
 * records routed by topic to each table's {@link TableLane}. Everything runs on the fan-in's poll thread.
 *
 * <p>A lane's failure is caught where it happens (a record's conversion, a commit's outcome, an assignment's seek)
 * and stays in its table ({@link FanInMembers}); a failure of the consumer ends the run. The run is also the
 * consumer's rebalance listener, handing each table its share of an assignment or a revocation; a catch-up run
 * ends when {@link FanInCatchUpEnd} says so.
 */
final class FanInRun implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(FanInRun.class);
    private static final long IDLE_POLL_MILLIS = 200;
    private static final long QUIET_POLL_MILLIS = 1000;
    private static final long BUSY_WRITER_POLL_MILLIS = 20;
    private static final long LAG_REFRESH_MILLIS = 1000;


    private final TopicFanIn fanIn;
    private final PipelineSettings settings;
    private final CatchUpTargets catchUp;
    /** The run's tables and their lanes. */
    private final FanInMembers members;
    /** Whether a catch-up run is done; never for an ordinary run. */
    private final FanInCatchUpEnd catchUpEnd;
    private final SideBySideCreation creations;
    private Consumer<byte[], byte[]> consumer;
    private Set<String> subscribed = Set.of();
    private boolean closing;
    private boolean joined;
    private long lastRecordsMillis;
    private long lagRefreshedAt;
    /**
     * The ids of the topics an assignment gave, looked up once for all of them while the tables position their
     * partitions; null outside that (see {@link #topicIds}).
     */
    private Map<String, String> assignedTopicIds;
    /** The consumer's assignment as last copied; null when it may have changed since (see {@link #assignment()}). */
    private Set<TopicPartition> assignmentCopy;

    FanInRun(TopicFanIn fanIn) {
        this.fanIn = fanIn;
        this.settings = fanIn.settings();
        this.catchUp = fanIn.catchUp();
        this.creations = SideBySideCreation.forCores(settings.name());
        this.members = new FanInMembers(fanIn, catchUp, this::assignment, this::topicIds);
        this.catchUpEnd = new FanInCatchUpEnd(settings, catchUp, members);
    }

    void run() {
        boolean clean = false;
        Consumer<byte[], byte[]> kafka = null;
        try {
            lastRecordsMillis = settings.services().clock().millis();
            kafka = settings.services().consumerFactory().create(PollLoop.consumerProperties(settings));
            consumer = kafka;
            fanIn.consumerOpened(kafka);
            members.consumerOpened(kafka);
            syncMembers();
            while (!fanIn.stopRequested() && !catchUpEnd.reached(kafka, joined, lastRecordsMillis)) {
                try {
                    if (fanIn.takeMembersChanged()) {
                        syncMembers();
                    }
                    members.retryDue();
                    if (subscribed.isEmpty()) {
                        fanIn.pause(QUIET_POLL_MILLIS); // no table yet: nothing to read, nothing to join
                        continue;
                    }
                    pollOnce();
                } catch (WakeupException e) {
                    // A stop asked to be seen at once: the loop's condition decides.
                }
            }
            for (Member member : members.all()) {
                if (member.healthy()) {
                    members.safely(member, member.lane::sealOpenBatch); // every table's last commit in flight at once
                }
            }
            Map<TopicPartition, OffsetAndMetadata> groupOffsets = new HashMap<>();
            for (Member member : members.all()) {
                if (member.healthy()) {
                    try {
                        members.safely(member, member.lane::finishCommits);
                    } catch (WakeupException e) {
                        members.safely(member, member.lane::finishCommits); // the stop's wakeup, consumed by the first try
                    }
                    if (member.healthy()) {
                        groupOffsets.putAll(member.lane.groupOffsetsOnStop());
                    }
                }
            }
            try {
                GroupOffsets.commitNow(kafka, groupOffsets, settings.name(), "stop");
            } catch (WakeupException e) {
                GroupOffsets.commitNow(kafka, groupOffsets, settings.name(), "stop");
            }
            clean = true;
        } catch (FencedInstanceIdException e) {
            throw PollLoop.fenced(settings, e);
        } finally {
            closing = true;
            creations.close();
            if (kafka != null) {
                try {
                    fanIn.consumerClosing(kafka);
                    for (Member member : members.all()) {
                        member.table.board().leftGroup();
                    }
                    boolean leave = clean && (settings.source().leaveGroupOnStop() || catchUp != null);
                    kafka.close(CloseOptions.timeout(Duration.ofSeconds(10)).withGroupMembershipOperation(
                            leave ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                                    : CloseOptions.GroupMembershipOperation.DEFAULT));
                } catch (RuntimeException e) {
                    LOG.warn("pipeline {}: consumer did not close cleanly: {}", settings.name(), e.toString());
                }
            }
            for (Member member : members.all()) {
                if (member.lane != null) {
                    member.lane.stop(clean);
                }
            }
            consumer = null;
        }
    }

    // ---- the loop ----

    /** Brings the members in line with the fan-in's tables, and subscribes to exactly their topics. */
    private void syncMembers() {
        members.sync();
        Set<String> topics = new TreeSet<>(members.topics());
        if (!topics.equals(subscribed)) {
            if (topics.isEmpty()) {
                consumer.unsubscribe();
            } else {
                consumer.subscribe(topics, this);
            }
            assignmentCopy = null;
            LOG.info("pipeline {}: reading {} topics for their tables", settings.name(), topics.size());
            subscribed = topics;
        }
    }

    /** Creates the tables whose first records this poll brought side by side (see {@link SideBySideCreation}). */
    private void createNewTables(ConsumerRecords<byte[], byte[]> records) {
        Map<Member, ConsumerRecord<byte[], byte[]>> firstRecords = new LinkedHashMap<>();
        for (TopicPartition partition : records.partitions()) {
            Member member = members.get(partition.topic());
            if (member != null && member.healthy() && !firstRecords.containsKey(member)) {
                ConsumerRecord<byte[], byte[]> first = records.records(partition).get(0);
                if (member.lane.wouldCreateTable(partition, first)) {
                    firstRecords.put(member, first);
                }
            }
        }
        if (firstRecords.size() > 1) {
            List<Runnable> work = new ArrayList<>(firstRecords.size());
            firstRecords.forEach((member, first) -> work.add(() -> member.lane.createTableFor(first)));
            creations.runAll(work);
        }
    }

    private void pollOnce() {
        long timeout = QUIET_POLL_MILLIS;
        for (Member member : members.all()) {
            if (member.healthy()) {
                members.safely(member, () -> member.lane.applyPause(member.table.pauseRequested()));
            }
            if (member.healthy()) {
                timeout = Math.min(timeout, member.lane.pollTimeoutMillis(QUIET_POLL_MILLIS, IDLE_POLL_MILLIS,
                        BUSY_WRITER_POLL_MILLIS));
            }
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(timeout));
        } catch (OffsetOutOfRangeException e) {
            assignmentCopy = null;
            Map<String, Map<TopicPartition, Long>> byTopic = new HashMap<>();
            e.offsetOutOfRangePartitions().forEach((partition, offset) ->
                    byTopic.computeIfAbsent(partition.topic(), t -> new HashMap<>()).put(partition, offset));
            byTopic.forEach((topic, expired) -> {
                Member member = members.get(topic);
                if (member != null && member.healthy()) {
                    members.safely(member, () -> member.lane.offsetsExpired(new OffsetOutOfRangeException(e.getMessage(),
                            expired)));
                }
            });
            return;
        }
        assignmentCopy = null; // a rebalance inside the poll may have changed it
        if (!records.isEmpty()) {
            long readAt = settings.services().clock().millis();
            lastRecordsMillis = readAt;
            createNewTables(records);
            for (TopicPartition partition : records.partitions()) {
                Member member = members.get(partition.topic());
                if (member == null) {
                    consumer.pause(List.of(partition)); // a retired table's, until the rebalance takes it away
                    continue;
                }
                long start = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (!member.healthy() || !members.safely(member, () -> member.lane.take(partition, record, readAt))) {
                        break; // the rest is read again from the table's offsets when the table starts again
                    }
                }
                if (member.healthy()) {
                    member.lane.addPollDecodeNanos(System.nanoTime() - start);
                }
            }
        }
        boolean refreshLag = settings.services().clock().millis() - lagRefreshedAt >= LAG_REFRESH_MILLIS;
        if (refreshLag) {
            lagRefreshedAt = settings.services().clock().millis();
        }
        for (Member member : members.all()) {
            if (member.healthy()) {
                members.safely(member, member.lane::afterPoll);
            }
            if (refreshLag && member.healthy()) {
                members.safely(member, member.lane::reportLag);
            }
        }
    }

    // ---- rebalance listener: on the poll thread, inside poll() ----

    /**
     * The consumer's assignment, copied once per poll for all the tables (each table's lag report asks for it); a
     * rebalance or a new subscription drops the copy.
     */
    private Set<TopicPartition> assignment() {
        Set<TopicPartition> copy = assignmentCopy;
        if (copy == null) {
            copy = Set.copyOf(consumer.assignment());
            assignmentCopy = copy;
        }
        return copy;
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
        lastRecordsMillis = settings.services().clock().millis();
        for (Member member : members.all()) {
            if (member.healthy()) {
                member.table.board().joined();
            }
        }
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

    /** A table's lookup of its topics' ids: from the assignment's one request when it has them all. */
    private Map<String, String> topicIds(Collection<String> topics, TopicIdLookup own) {
        Map<String, String> known = assignedTopicIds;
        if (known != null && known.keySet().containsAll(topics)) {
            Map<String, String> ids = new HashMap<>();
            topics.forEach(topic -> ids.put(topic, known.get(topic)));
            return ids;
        }
        return own.topicIds(topics);
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

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        handOver(partitions, true);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        handOver(partitions, false);
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
