package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.PipelineState;
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
 * and stays in its table: the lane is dropped, the table's partitions are paused, and after a transient failure a
 * new lane takes over from the table's offsets once its backoff has passed. A failure of the consumer ends the run.
 */
final class FanInRun implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(FanInRun.class);
    private static final long IDLE_POLL_MILLIS = 200;
    private static final long QUIET_POLL_MILLIS = 1000;
    private static final long BUSY_WRITER_POLL_MILLIS = 20;
    private static final long LAG_REFRESH_MILLIS = 1000;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** A table in this run: its lane while healthy; none while it waits for a retry or after it failed. */
    private static final class Member {
        final FanInTable table;
        TableLane lane;
        boolean failed;
        long retryAtMillis = -1;
        Duration backoff = FIRST_BACKOFF;
        long committedAtFailure;

        Member(FanInTable table) {
            this.table = table;
        }

        boolean healthy() {
            return lane != null;
        }
    }

    private final TopicFanIn fanIn;
    private final PipelineSettings settings;
    private final CatchUpTargets catchUp;
    /** The run's tables by topic. */
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final SideBySideCreation creations;
    private Consumer<byte[], byte[]> consumer;
    private Set<String> subscribed = Set.of();
    private boolean closing;
    private boolean joined;
    private long unassignedSinceMillis = -1;
    private long lastRecordsMillis;
    private long lastDeletionCheckMillis;
    private long lagRefreshedAt;
    private Set<String> deletedTopics = Set.of();
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
    }

    void run() {
        boolean clean = false;
        Consumer<byte[], byte[]> kafka = null;
        try {
            lastRecordsMillis = settings.services().clock().millis();
            kafka = settings.services().consumerFactory().create(PollLoop.consumerProperties(settings));
            consumer = kafka;
            fanIn.consumerOpened(kafka);
            syncMembers();
            while (!fanIn.stopRequested() && !caughtUp()) {
                try {
                    if (fanIn.takeMembersChanged()) {
                        syncMembers();
                    }
                    retryDueMembers();
                    if (subscribed.isEmpty()) {
                        fanIn.pause(QUIET_POLL_MILLIS); // no table yet: nothing to read, nothing to join
                        continue;
                    }
                    pollOnce();
                } catch (WakeupException e) {
                    // A stop asked to be seen at once: the loop's condition decides.
                }
            }
            for (Member member : members.values()) {
                if (member.healthy()) {
                    safely(member, member.lane::sealOpenBatch); // every table's last commit in flight at once
                }
            }
            Map<TopicPartition, OffsetAndMetadata> groupOffsets = new HashMap<>();
            for (Member member : members.values()) {
                if (member.healthy()) {
                    try {
                        safely(member, member.lane::finishCommits);
                    } catch (WakeupException e) {
                        safely(member, member.lane::finishCommits); // the stop's wakeup, consumed by the first try
                    }
                    if (member.healthy()) {
                        groupOffsets.putAll(member.lane.groupOffsetsOnStop());
                    }
                }
            }
            try {
                TableLane.commitGroupOffsetsOnStop(kafka, groupOffsets, settings.name());
            } catch (WakeupException e) {
                TableLane.commitGroupOffsetsOnStop(kafka, groupOffsets, settings.name());
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
                    for (Member member : members.values()) {
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
            for (Member member : members.values()) {
                if (member.lane != null) {
                    member.lane.stop(clean);
                }
            }
            consumer = null;
        }
    }

    // ---- members ----

    /**
     * Brings the run's members in line with the fan-in's tables: a lane for each table that joined, a clean leave
     * for each retired one, and a subscription to exactly the members' topics.
     */
    private void syncMembers() {
        for (FanInTable table : fanIn.tables()) {
            Member member = members.get(table.topic());
            if (table.removeRequested()) {
                if (member != null) {
                    release(member);
                }
                fanIn.forget(table);
                table.removedFromLoop();
            } else if (member == null && table.active() && table.board().state() != PipelineState.FAILED) {
                Member added = new Member(table);
                members.put(table.topic(), added);
                open(added);
            }
        }
        Set<String> topics = new TreeSet<>(members.keySet());
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

    /** A retired table: commits what it holds and leaves the run. */
    private void release(Member member) {
        if (member.healthy()) {
            safely(member, member.lane::finish);
        }
        if (member.lane != null) {
            member.lane.stop(true);
            member.lane = null;
        }
        members.remove(member.table.topic());
        List<TopicPartition> held = consumer.assignment().stream()
                .filter(p -> p.topic().equals(member.table.topic())).toList();
        if (!held.isEmpty()) {
            consumer.pause(held); // until the rebalance that the new subscription brings takes them away
        }
    }

    /** Gives a member a new lane, positioned at its table's offsets for the partitions the consumer holds. */
    private void open(Member member) {
        boolean opened = safely(member, () -> {
            // Inside the guard: a lane reads its table as it is made (a table whose key the configuration
            // contradicts is refused there), and that table's failure must stay in that table.
            TableLane lane = member.table.newLane(catchUp);
            member.lane = lane;
            lane.start();
            lane.attach(consumer, this::assignment, topics -> topicIds(topics, member.table.settings().services().topicIds()));
            List<TopicPartition> held = lane.mine(consumer.assignment());
            if (!held.isEmpty()) {
                lane.assigned(held);
                consumer.resume(held);
            }
        });
        if (opened) {
            member.table.board().state(PipelineState.RUNNING);
            if (joined) {
                member.table.board().joined();
            }
        }
    }

    private void retryDueMembers() {
        long now = settings.services().clock().millis();
        for (Member member : members.values()) {
            if (!member.failed && member.lane == null && member.retryAtMillis >= 0 && now >= member.retryAtMillis) {
                member.retryAtMillis = -1;
                LOG.info("pipeline {}: starting again from the table's offsets", member.table.name());
                open(member);
            }
        }
    }

    /**
     * Runs a lane's step; a failure stays in the member's table (see {@link FanInTable}).
     *
     * @return whether the step completed
     */
    private boolean safely(Member member, Runnable step) {
        try {
            step.run();
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (Exception | Error e) {
            // Exception, not RuntimeException: delta-standalone's Scala code throws checked exceptions undeclared.
            failed(member, e);
            return false;
        }
    }

    private void failed(Member member, Throwable e) {
        String error = e.getMessage() != null ? e.getMessage() : e.toString();
        StatusBoard board = member.table.board();
        board.error(error);
        TableLane lane = member.lane;
        member.lane = null;
        if (lane != null) {
            try {
                lane.stop(false);
            } catch (RuntimeException stopFailure) {
                LOG.debug("pipeline {}: lane did not stop cleanly: {}", member.table.name(), stopFailure.toString());
            }
        }
        List<TopicPartition> held = consumer.assignment().stream()
                .filter(p -> p.topic().equals(member.table.topic())).toList();
        if (!held.isEmpty()) {
            consumer.pause(held);
        }
        if (!FailureClassifier.isTransient(e) || fanIn.stopRequested()) {
            member.failed = true;
            board.state(PipelineState.FAILED);
            board.leftGroup();
            LOG.error("pipeline {} failed: {}", member.table.name(), error, e);
            member.table.ended(PipelineState.FAILED);
            return;
        }
        if (board.batchesCommitted() > member.committedAtFailure) {
            member.backoff = FIRST_BACKOFF; // it made progress since its last failure: a new outage
        }
        member.committedAtFailure = board.batchesCommitted();
        member.retryAtMillis = settings.services().clock().millis() + member.backoff.toMillis();
        board.state(PipelineState.RETRYING);
        LOG.warn("pipeline {}: {}; starting again from the table's offsets in {} s", member.table.name(), error,
                member.backoff.toSeconds(), e);
        member.backoff = member.backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF
                : member.backoff.multipliedBy(2);
    }

    // ---- the loop ----

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
        for (Member member : members.values()) {
            if (member.healthy()) {
                safely(member, () -> member.lane.applyPause(member.table.pauseRequested()));
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
                    safely(member, () -> member.lane.offsetsExpired(new OffsetOutOfRangeException(e.getMessage(),
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
                    if (!member.healthy() || !safely(member, () -> member.lane.take(partition, record, readAt))) {
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
        for (Member member : members.values()) {
            if (member.healthy()) {
                safely(member, member.lane::afterPoll);
            }
            if (refreshLag && member.healthy()) {
                safely(member, member.lane::reportLag);
            }
        }
    }

    // ---- a catch-up run's end ----

    /**
     * In a catch-up run: whether every table that has not failed read its assigned partitions to their end offsets,
     * or the group has given this instance no partition for {@link PollLoop#CATCH_UP_SETTLE} since it joined, or
     * every table failed.
     */
    private boolean caughtUp() {
        if (catchUp == null || !joined || members.isEmpty()) {
            return false;
        }
        if (members.values().stream().allMatch(m -> m.failed)) {
            LOG.info("pipeline {}: catch-up run: every table failed; stopping", settings.name());
            return true;
        }
        if (consumer.assignment().isEmpty()) {
            long now = settings.services().clock().millis();
            if (unassignedSinceMillis < 0) {
                unassignedSinceMillis = now;
            } else if (now - unassignedSinceMillis >= PollLoop.CATCH_UP_SETTLE.toMillis()) {
                LOG.info("pipeline {}: catch-up run: the group {} has given this instance no partition for {} s "
                        + "since it joined (other members own them, or the topics are gone); nothing to do, stopping",
                        settings.name(), settings.source().groupId(), PollLoop.CATCH_UP_SETTLE.toSeconds());
                return true;
            }
            return false;
        }
        unassignedSinceMillis = -1;
        checkDeletedTopics();
        boolean reached = catchUp.reached(consumer, partition -> {
            Member member = members.get(partition.topic());
            return member != null && !member.failed && !deletedTopics.contains(partition.topic());
        });
        if (reached) {
            LOG.info("pipeline {}: catch-up run read every assigned partition of its {} tables to its end offset; "
                    + "committing and stopping", settings.name(), members.size());
        }
        return reached;
    }

    /**
     * After a quiet while in a catch-up run, asks the cluster which of the tables' topics are gone: their
     * partitions are not waited for (the group takes tens of seconds to notice a deleted topic).
     */
    private void checkDeletedTopics() {
        long now = settings.services().clock().millis();
        long quietFor = PollLoop.CATCH_UP_SETTLE.toMillis() / 5;
        if (now - lastRecordsMillis < quietFor || now - lastDeletionCheckMillis < quietFor) {
            return;
        }
        lastDeletionCheckMillis = now;
        try {
            Set<String> existing = consumer.listTopics(Duration.ofSeconds(5)).keySet();
            Set<String> gone = new TreeSet<>(members.keySet());
            gone.removeAll(existing);
            if (!gone.isEmpty() && !gone.equals(deletedTopics)) {
                LOG.info("pipeline {}: catch-up run: topics {} were deleted while it read them, so records it had "
                        + "not ingested were deleted with them; not waiting for them", settings.name(), gone);
            }
            deletedTopics = gone;
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: topics not listed: {}", settings.name(), e.toString());
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
        lastRecordsMillis = settings.services().clock().millis();
        for (Member member : members.values()) {
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
            if (safely(member, () -> member.lane.assigned(given))) {
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
                safely(member, () -> member.lane.handOver(taken, owned));
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
