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
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
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
 * and stays in its table ({@link FanInMembers}); a failure of the consumer ends the run. {@link FanInHandOver},
 * the consumer's rebalance listener, hands each table its share of an assignment or a revocation; a catch-up run
 * ends when {@link FanInCatchUpEnd} says so.
 */
final class FanInRun {

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
    /** The consumer's rebalance listener: each table's share of an assignment or a revocation. */
    private final FanInHandOver handOver;
    /** Whether a catch-up run is done; never for an ordinary run. */
    private final FanInCatchUpEnd catchUpEnd;
    private final SideBySideCreation creations;
    private Consumer<byte[], byte[]> consumer;
    private Set<String> subscribed = Set.of();
    private long lastRecordsMillis;
    private long lagRefreshedAt;

    FanInRun(TopicFanIn fanIn) {
        this.fanIn = fanIn;
        this.settings = fanIn.settings();
        this.catchUp = fanIn.catchUp();
        this.creations = SideBySideCreation.forCores(settings.name());
        // The members' lanes ask the hand-over for the assignment and topic ids; the hand-over positions them.
        this.members = new FanInMembers(fanIn, catchUp, this::assignment, this::topicIds);
        this.handOver = new FanInHandOver(settings, members);
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
            handOver.consumerOpened(kafka);
            syncMembers();
            while (!fanIn.stopRequested() && !catchUpEnd.reached(kafka, handOver.joined(),
                    Math.max(lastRecordsMillis, handOver.assignedAtMillis()))) {
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
            handOver.closing();
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
                consumer.subscribe(topics, handOver);
            }
            handOver.assignmentMayHaveChanged();
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
            handOver.assignmentMayHaveChanged();
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
        handOver.assignmentMayHaveChanged(); // a rebalance inside the poll may have changed it
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

    private Set<TopicPartition> assignment() {
        return handOver.assignment();
    }

    private Map<String, String> topicIds(Collection<String> topics, TopicIdLookup own) {
        return handOver.topicIds(topics, own);
    }
}
