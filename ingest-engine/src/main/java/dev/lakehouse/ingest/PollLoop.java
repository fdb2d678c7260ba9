package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.table.LakeTable;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a pipeline: the poll thread's loop. It owns the run's consumer (its settings, subscription, pause
 * switch, and the end of a catch-up run) and feeds the polled records to the table's {@link TableLane}, which keeps
 * the open batch and talks to the writer; {@link PartitionHandOver} is the consumer's rebalance listener. A failure
 * ends the run; {@link IngestPipeline} decides whether to start another.
 *
 * <p>Offsets come from the table only (see {@link TableLane}); Kafka group offsets are for monitoring tools only.
 */
final class PollLoop {

    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

    /** Rows handed to the writer at once ({@link OpenRows#CHUNK_ROWS}). */
    static final int CHUNK_ROWS = OpenRows.CHUNK_ROWS;
    private static final long IDLE_POLL_MILLIS = 200;
    /**
     * How long a poll waits when nothing is open or in flight: a poll returns as soon as records arrive, and a stop
     * wakes it, so this bounds only how soon a pause or the lag's refresh is noticed, while an idle table's loop
     * wakes a fifth as often (hundreds of idle tables per process).
     */
    private static final long QUIET_POLL_MILLIS = 1000;
    private static final long LAG_REFRESH_MILLIS = 1000;

    /** Receives what the loop learns, for the pipeline's status. */
    interface Observer {
        void committed(BatchPlanner.PlannedBatch batch, BatchProgress progress);

        void lag(List<PartitionLag> partitions);

        /** The loop paused (its last batch committed) or resumed. */
        default void paused(boolean paused) {
        }

        /** The run's consumer was created (called before its first poll). */
        default void consumerOpened(Consumer<?, ?> consumer) {
        }

        /** The run's consumer is about to be closed. */
        default void consumerClosing(Consumer<?, ?> consumer) {
        }

        /** The consumer took part in a rebalance and every partition it was given is positioned. */
        default void joined() {
        }
    }

    private final PipelineSettings settings;
    private final Observer observer;
    private final TableLane lane;
    /** Where a catch-up run ends; null in an ordinary run. */
    private final CatchUpTargets catchUp;
    /**
     * How long a catch-up run waits, once it has joined its group, for a partition: long enough for the second
     * round of an incremental rebalance (which hands a new member its share), short enough that a run the group
     * has no partition for ends on its own.
     */
    static final Duration CATCH_UP_SETTLE = Duration.ofSeconds(10);
    /** How long a poll waits when the open batch is due but the writer still commits an earlier one. */
    private static final long BUSY_WRITER_POLL_MILLIS = 20;
    /** Whether a rebalance has completed since the consumer subscribed. */
    private boolean joined;
    /** In a catch-up run, since when the consumer has had no partition; -1 while it has some. */
    private long unassignedSinceMillis = -1;

    /** Set when the run's consumer exists. */
    private Consumer<byte[], byte[]> consumer;
    private long lagRefreshedAt;
    private BooleanSupplier pauseRequested = () -> false;
    private BooleanSupplier leaveGroupRequested = () -> false;
    /** When a poll last returned records, and when a catch-up run last asked whether its topics still exist. */
    private long lastRecordsMillis;
    private long lastDeletionCheckMillis;

    /**
     * @param catchUp where a catch-up run ends, kept by the pipeline across its runs; null for an ordinary run
     */
    PollLoop(PipelineSettings settings, LakeTable table, RecordDecoder decoder, DeadLetterDestination deadLetters,
             BatchIdSequence batchIds, CatchUpTargets catchUp, java.util.function.Consumer<BatchProgress> progressSink,
             Observer observer) {
        this.settings = settings;
        this.observer = observer;
        this.catchUp = catchUp;
        this.lane = new TableLane(settings, table, decoder, deadLetters, batchIds, catchUp, progressSink, observer);
    }

    /**
     * Runs until {@code stopRequested} is true (then commits the open batch and returns) or a failure (then the
     * open batch is dropped and the failure thrown).
     */
    void run(BooleanSupplier stopRequested) {
        run(stopRequested, () -> false);
    }

    /**
     * Makes a clean stop leave the group when {@code leave} says so at the stop (the pipeline of a deleted topic:
     * a static member that departs without a word holds up its group's rebalances until its session times out).
     */
    PollLoop leavingGroupWhen(BooleanSupplier leave) {
        this.leaveGroupRequested = leave;
        return this;
    }

    /**
     * As {@link #run(BooleanSupplier)}; while {@code pauseRequested} is true the open batch is committed and the
     * assigned partitions are paused: the consumer keeps its group membership and its partitions, reads nothing,
     * and the lag keeps being measured.
     */
    void run(BooleanSupplier stopRequested, BooleanSupplier pauseRequested) {
        this.pauseRequested = pauseRequested;
        boolean clean = false;
        Consumer<byte[], byte[]> kafka = null;
        PartitionHandOver handOver = new PartitionHandOver(settings.name(), lane, this::rebalanceDone);
        try {
            lastRecordsMillis = settings.services().clock().millis();
            lane.start();
            kafka = settings.services().consumerFactory().create(consumerProperties());
            consumer = kafka;
            lane.attach(kafka);
            observer.consumerOpened(kafka);
            if (settings.source().topicPattern() != null) {
                kafka.subscribe(settings.source().topicPattern(), handOver);
            } else {
                kafka.subscribe(settings.source().topics(), handOver);
            }
            while (!stopRequested.getAsBoolean() && !caughtUpToTargets()) {
                try {
                    pollOnce();
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    // A stop asked to be seen at once (IngestPipeline#stop wakes the consumer): the loop's condition
                    // decides; the open batch is committed below as on any stop.
                }
            }
            lane.finish();
            clean = true;
        } catch (FencedInstanceIdException e) {
            throw fenced(settings, e);
        } catch (org.apache.kafka.common.KafkaException e) {
            // The consumer wraps what the rebalance listener throws; the listener's own error is the one to report.
            if (e.getCause() instanceof RuntimeException cause
                    && String.valueOf(e.getMessage()).contains("rebalance callback")) {
                throw cause;
            }
            throw e;
        } finally {
            // Closing revokes the partitions; by then nothing is in flight (or the run failed and nothing more
            // may be committed), so the listener must not hand anything over.
            handOver.closing();
            if (kafka != null) {
                try {
                    observer.consumerClosing(kafka);
                    // A failed run rejoins at once, so it stays; a stop leaves only when asked to. A catch-up run
                    // that is done leaves: a static member that departs without a word holds up every rebalance
                    // of its group (other topics' pipelines joining it) until its session times out.
                    boolean leave = clean && (settings.source().leaveGroupOnStop() || catchUp != null
                            || leaveGroupRequested.getAsBoolean());
                    kafka.close(CloseOptions.timeout(Duration.ofSeconds(10)).withGroupMembershipOperation(
                            leave ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                                    : CloseOptions.GroupMembershipOperation.DEFAULT));
                } catch (RuntimeException e) {
                    LOG.warn("pipeline {}: consumer did not close cleanly: {}", settings.name(), e.toString());
                }
            }
            lane.stop(clean);
            consumer = null;
        }
    }

    /** The end of a rebalance this member took part in: the run has joined, and quiet counts from here. */
    private void rebalanceDone() {
        joined = true;
        lastRecordsMillis = settings.services().clock().millis();
        observer.joined();
    }

    /**
     * In a catch-up run that has read nothing for a while: whether every one of its topics was deleted (the group
     * takes tens of seconds to notice and revoke their partitions; the run need not wait for it). Asks the cluster
     * at most every {@link #CATCH_UP_SETTLE} / 5.
     */
    private boolean topicsDeletedWhileReading() {
        long now = settings.services().clock().millis();
        long quietFor = CATCH_UP_SETTLE.toMillis() / 5;
        if (now - lastRecordsMillis < quietFor || now - lastDeletionCheckMillis < quietFor) {
            return false;
        }
        lastDeletionCheckMillis = now;
        List<String> gone = deletedTopics();
        if (gone.isEmpty() || gone.size() < settings.source().topics().size()) {
            return false;
        }
        LOG.info("pipeline {}: catch-up run: its topics {} were deleted while it read them, so records it had not "
                + "ingested were deleted with them; committing what it read and stopping", settings.name(), gone);
        return true;
    }

    /** The pipeline's listed topics the cluster no longer has; empty when it cannot tell (a pattern, no answer). */
    private List<String> deletedTopics() {
        if (settings.source().topicPattern() != null) {
            return List.of();
        }
        try {
            java.util.Set<String> existing = consumer.listTopics(Duration.ofSeconds(5)).keySet();
            return settings.source().topics().stream().filter(t -> !existing.contains(t)).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /**
     * In a catch-up run: whether every assigned partition is read to its end offset, or the group has given this
     * instance no partition for {@link #CATCH_UP_SETTLE} since it joined (the other members own them all, or the
     * topics were deleted): the run then ends instead of waiting for partitions that will not come.
     */
    private boolean caughtUpToTargets() {
        if (catchUp == null) {
            return false;
        }
        if (joined && consumer.assignment().isEmpty()) {
            long now = settings.services().clock().millis();
            if (unassignedSinceMillis < 0) {
                unassignedSinceMillis = now;
            } else if (now - unassignedSinceMillis >= CATCH_UP_SETTLE.toMillis()) {
                List<String> gone = deletedTopics();
                LOG.info("pipeline {}: catch-up run: the group {} has given this instance no partition of {} for "
                        + "{} s since it joined ({}); nothing to do, stopping", settings.name(), settings.source().groupId(),
                        settings.source().topicPattern() != null ? settings.source().topicPattern() : settings.source().topics(),
                        CATCH_UP_SETTLE.toSeconds(), gone.isEmpty() ? "other members own them, or the topics are gone"
                        : "the topics are gone: " + gone + " no longer exist, so records this run had not ingested"
                        + " were deleted with them");
                return true;
            }
            return false;
        }
        unassignedSinceMillis = -1;
        if (!catchUp.reached(consumer)) {
            return topicsDeletedWhileReading();
        }
        LOG.info("pipeline {}: catch-up run read every assigned partition to its end offset {}; committing and "
                + "stopping", settings.name(), catchUp.ends());
        return true;
    }

    private Properties consumerProperties() {
        return consumerProperties(settings);
    }

    /**
     * The error of a consumer the broker fenced: another process joined the group with this instance's static member
     * id. It stops the run (it is not transient), naming the setting to fix.
     */
    static IllegalStateException fenced(PipelineSettings settings, FencedInstanceIdException e) {
        return new IllegalStateException("pipeline " + settings.name() + ": another consumer joined group "
                + settings.source().groupId() + " with this instance's group.instance.id '" + settings.groupInstanceId()
                + "', and the broker fenced this one. Two running processes share instance-id '"
                + settings.instanceId() + "' (or group.instance.id); give each its own. This process stops; the "
                + "other one keeps the partitions.", e);
    }

    /**
     * The consumer of a pipeline's runs: read-committed, cooperative rebalancing, static membership under a fixed
     * instance id, no auto-commit and no auto-reset (the engine seeks), no topic auto-creation; the user's
     * consumer properties win except for the keys the engine owns.
     */
    static Properties consumerProperties(PipelineSettings settings) {
        Properties props = new Properties();
        // Defaults tuned for throughput; anything the user passes wins, except the keys the engine owns.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lakehouse-" + settings.name() + "-" + settings.instanceId());
        // Incremental rebalancing: when a member joins, leaves or dies, the others keep their partitions and keep
        // committing instead of revoking everything and waiting out the dead member's session.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A reader never creates topics: with the client's default a deleted topic came straight back, empty, from
        // the pipeline's own metadata requests (on brokers that auto-create), and its table's offsets then looked
        // lost to retention.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        if (settings.groupInstanceId() != null) {
            // Static membership (classic protocol): a restarted instance rejoins under the same id and gets its
            // partitions back without a rebalance and without waiting for its predecessor's session to time out.
            // (KIP-848's protocol refuses a static member whose predecessor has not left, as after a kill -9.)
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.groupInstanceId());
        }
        props.putAll(settings.source().consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.source().groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The engine always seeks; "none" turns a position that retention deleted into an error, not a jump.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private void pollOnce() {
        lane.applyPause(pauseRequested.getAsBoolean());
        long timeout = lane.pollTimeoutMillis(QUIET_POLL_MILLIS, IDLE_POLL_MILLIS, BUSY_WRITER_POLL_MILLIS);
        ConsumerRecords<byte[], byte[]> records;
        long pollStart = System.nanoTime();
        try {
            records = consumer.poll(Duration.ofMillis(timeout));
        } catch (OffsetOutOfRangeException e) {
            lane.offsetsExpired(e);
            return;
        }
        if (!records.isEmpty()) {
            lastRecordsMillis = settings.services().clock().millis();
            long readAt = settings.services().clock().millis();
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    lane.take(partition, record, readAt);
                }
            }
            lane.addPollDecodeNanos(System.nanoTime() - pollStart);
        }
        lane.afterPoll();
        long now = settings.services().clock().millis();
        if (now - lagRefreshedAt >= LAG_REFRESH_MILLIS) {
            lagRefreshedAt = now;
            lane.reportLag();
        }
    }
}
