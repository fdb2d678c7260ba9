package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.PipelineState;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of one {@link FanInRun} and their lanes: a lane for each table while it is healthy; a failure caught
 * where it happens and kept in its table (the lane dropped, the table's partitions paused); after a transient
 * failure a new lane from the table's offsets once its backoff has passed, after any other the table
 * {@link PipelineState#FAILED} while the others go on. Poll thread only.
 */
final class FanInMembers {

    private static final Logger LOG = LoggerFactory.getLogger(FanInMembers.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** A table in the run: its lane while healthy; none while it waits for a retry or after it failed. */
    static final class Member {
        final FanInTable table;
        TableLane lane;
        boolean failed;
        private long retryAtMillis = -1;
        private Duration backoff = FIRST_BACKOFF;
        private long committedAtFailure;

        private Member(FanInTable table) {
            this.table = table;
        }

        boolean healthy() {
            return lane != null;
        }
    }

    private final TopicFanIn fanIn;
    private final PipelineSettings settings;
    private final CatchUpTargets catchUp;
    private final Supplier<Set<TopicPartition>> assignment;
    private final BiFunction<Collection<String>, TopicIdLookup, Map<String, String>> topicIds;
    /** The run's tables by topic. */
    private final Map<String, Member> byTopic = new LinkedHashMap<>();
    private Consumer<byte[], byte[]> consumer;
    private boolean joined;

    /**
     * @param assignment the consumer's assignment, as the run copies it once per poll
     * @param topicIds a table's lookup of its topics' ids (the run's one request for an assignment's topics, else
     *        the table's own lookup)
     */
    FanInMembers(TopicFanIn fanIn, CatchUpTargets catchUp, Supplier<Set<TopicPartition>> assignment,
                 BiFunction<Collection<String>, TopicIdLookup, Map<String, String>> topicIds) {
        this.fanIn = fanIn;
        this.settings = fanIn.settings();
        this.catchUp = catchUp;
        this.assignment = assignment;
        this.topicIds = topicIds;
    }

    /** The consumer the lanes read through; set before the first {@link #sync()}. */
    void consumerOpened(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** The group gave this run its first assignment: lanes opened from now on are told they joined. */
    void joined() {
        joined = true;
    }

    /** The member reading {@code topic}, or null. */
    Member get(String topic) {
        return byTopic.get(topic);
    }

    Collection<Member> all() {
        return byTopic.values();
    }

    /** The members' topics, in the order they joined. */
    Set<String> topics() {
        return byTopic.keySet();
    }

    boolean isEmpty() {
        return byTopic.isEmpty();
    }

    int size() {
        return byTopic.size();
    }

    /**
     * Brings the members in line with the fan-in's tables: a lane for each table that joined, a clean leave for
     * each retired one. The run then subscribes to exactly {@link #topics()}.
     */
    void sync() {
        for (FanInTable table : fanIn.tables()) {
            Member member = byTopic.get(table.topic());
            if (table.removeRequested()) {
                if (member != null) {
                    release(member);
                }
                fanIn.forget(table);
                table.removedFromLoop();
            } else if (member == null && table.active() && table.board().state() != PipelineState.FAILED) {
                Member added = new Member(table);
                byTopic.put(table.topic(), added);
                open(added);
            }
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
        byTopic.remove(member.table.topic());
        pauseHeld(member); // until the rebalance that the new subscription brings takes them away
    }

    /** Gives a member a new lane, positioned at its table's offsets for the partitions the consumer holds. */
    private void open(Member member) {
        boolean opened = safely(member, () -> {
            // Inside the guard: a lane reads its table as it is made (a table whose key the configuration
            // contradicts is refused there), and that table's failure must stay in that table.
            TableLane lane = member.table.newLane(catchUp);
            member.lane = lane;
            lane.start();
            lane.attach(consumer, assignment, topics -> topicIds.apply(topics,
                    member.table.settings().services().topicIds()));
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

    /** Opens a new lane for each member whose backoff after a transient failure has passed. */
    void retryDue() {
        long now = settings.services().clock().millis();
        for (Member member : byTopic.values()) {
            if (!member.failed && member.lane == null && member.retryAtMillis >= 0 && now >= member.retryAtMillis) {
                member.retryAtMillis = -1;
                LOG.info("pipeline {}: starting again from the table's offsets", member.table.name());
                open(member);
            }
        }
    }

    /**
     * Runs a lane's step; a failure stays in the member's table (see {@link FanInTable}). A wakeup (a stop asked
     * to be seen at once) is the run's, and passes.
     *
     * @return whether the step completed
     */
    boolean safely(Member member, Runnable step) {
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
        pauseHeld(member);
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

    private void pauseHeld(Member member) {
        List<TopicPartition> held = consumer.assignment().stream()
                .filter(p -> p.topic().equals(member.table.topic())).toList();
        if (!held.isEmpty()) {
            consumer.pause(held);
        }
    }
}
