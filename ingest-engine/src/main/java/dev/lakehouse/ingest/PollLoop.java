package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a pipeline: the poll thread's loop (poll, plan, decode, hand rows to the writer thread) and the
 * consumer's rebalance listener. A failure ends the run; {@link IngestPipeline} decides whether to start another.
 *
 * <p>Its parts: {@link BatchPlanner} keeps the open batch's offsets, {@link BatchTrigger} decides when it closes,
 * {@link WriterHandOff} passes work to the {@link BatchWriter} thread, {@link TablePositions} seeks to the table's
 * offsets, {@link LagMeter} measures lag, {@link ExpiredOffsets} applies the offset-gap policy.
 *
 * <p>Offsets come from the table only: on every assignment the loop seeks to the table's next offsets, and when
 * it must drop work (revocation, a skipped batch) it re-reads them. Kafka group offsets are committed after the
 * table commit, for monitoring tools only.
 */
final class PollLoop implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

    /**
     * Rows handed to the writer at once: large enough to amortize the queue, small enough that few decoded rows wait
     * (see {@link WriterHandOff}: rows kept waiting across young collections cost copying and old-generation space).
     */
    static final int CHUNK_ROWS = 1024;
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
    private final LakeTable table;
    private final DeadLetterDestination deadLetters;
    private final RecordConverter converter;
    private final BatchIdSequence batchIds;
    private final Observer observer;
    private final BatchPlanner planner;
    private final BatchTrigger trigger;
    private final WriterHandOff writer;
    private final ExpiredOffsets expiredOffsets;
    /** Where a catch-up run ends; null in an ordinary run. */
    private final CatchUpTargets catchUp;
    /**
     * How long a catch-up run waits, once it has joined its group, for a partition: long enough for the second
     * round of an incremental rebalance (which hands a new member its share), short enough that a run the group
     * has no partition for ends on its own.
     */
    static final Duration CATCH_UP_SETTLE = Duration.ofSeconds(10);
    /** Sealed batches handed to the writer whose outcome has not come back yet. */
    private int sealsAwaitingCommit;
    /** How long a poll waits when the open batch is due but the writer still commits an earlier one. */
    private static final long BUSY_WRITER_POLL_MILLIS = 20;
    /** Whether a rebalance has completed since the consumer subscribed. */
    private boolean joined;
    /** In a catch-up run, since when the consumer has had no partition; -1 while it has some. */
    private long unassignedSinceMillis = -1;

    /** Set when the run's consumer exists. */
    private Consumer<byte[], byte[]> consumer;
    private TablePositions positions;
    private LagMeter lagMeter;

    private List<GenericRecord> chunk = new ArrayList<>(CHUNK_ROWS);
    /** Which rows of the chunk are a keyed table's deletions (their key columns only); null while none is. */
    private java.util.BitSet chunkDeletes;
    private long chunkBytes;
    private List<DeadLetter> openLetters = new ArrayList<>();
    private long openLetterBytes;
    private Schema chunkSchema;
    private long pollDecodeNanos;
    private long lagRefreshedAt;
    private boolean closing;
    private BooleanSupplier pauseRequested = () -> false;
    private boolean paused;

    /**
     * @param catchUp where a catch-up run ends, kept by the pipeline across its runs; null for an ordinary run
     */
    private BooleanSupplier leaveGroupRequested = () -> false;
    /** When a poll last returned records, and when a catch-up run last asked whether its topics still exist. */
    private long lastRecordsMillis;
    private long lastDeletionCheckMillis;

    PollLoop(PipelineSettings settings, LakeTable table, RecordDecoder decoder, DeadLetterDestination deadLetters,
             BatchIdSequence batchIds, CatchUpTargets catchUp, java.util.function.Consumer<BatchProgress> progressSink,
             Observer observer) {
        this.settings = settings;
        this.table = table;
        this.deadLetters = deadLetters;
        this.converter = new RecordConverter(settings, table, decoder, !deadLetters.isNone(), true);
        this.batchIds = batchIds;
        this.observer = observer;
        this.planner = new BatchPlanner(settings.clock());
        this.trigger = BatchTrigger.of(settings);
        this.writer = new WriterHandOff(settings, table, deadLetters, progressSink);
        this.expiredOffsets = new ExpiredOffsets(settings, table, batchIds);
        this.catchUp = catchUp;
    }

    /**
     * Runs until {@code stopRequested} is true (then commits the open batch and returns) or a failure (then the
     * open batch is dropped and the failure thrown).
     */
    void run(BooleanSupplier stopRequested) {
        run(stopRequested, () -> false);
    }

    /**
     * As {@link #run(BooleanSupplier)}; while {@code pauseRequested} is true the open batch is committed and the
     * assigned partitions are paused: the consumer keeps its group membership and its partitions, reads nothing,
     * and the lag keeps being measured.
     */
    /**
     * Makes a clean stop leave the group when {@code leave} says so at the stop (the pipeline of a deleted topic:
     * a static member that departs without a word holds up its group's rebalances until its session times out).
     */
    PollLoop leavingGroupWhen(BooleanSupplier leave) {
        this.leaveGroupRequested = leave;
        return this;
    }

    void run(BooleanSupplier stopRequested, BooleanSupplier pauseRequested) {
        this.pauseRequested = pauseRequested;
        writer.start();
        boolean clean = false;
        Consumer<byte[], byte[]> kafka = null;
        try {
            lastRecordsMillis = settings.clock().millis();
            continueBatchIdsFromTables();
            kafka = settings.consumerFactory().create(consumerProperties());
            consumer = kafka;
            positions = new TablePositions(settings, table, deadLetters, converter, planner, kafka, batchIds,
                    this::commitInFlight);
            lagMeter = new LagMeter(settings.name(), kafka);
            observer.consumerOpened(kafka);
            if (settings.topicPattern() != null) {
                kafka.subscribe(settings.topicPattern(), this);
            } else {
                kafka.subscribe(settings.topics(), this);
            }
            while (!stopRequested.getAsBoolean() && !caughtUpToTargets()) {
                try {
                    pollOnce();
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    // A stop asked to be seen at once (IngestPipeline#stop wakes the consumer): the loop's condition
                    // decides; the open batch is committed below as on any stop.
                }
            }
            finishOpenBatch();
            clean = true;
        } catch (FencedInstanceIdException e) {
            throw new IllegalStateException("pipeline " + settings.name() + ": another consumer joined group "
                    + settings.groupId() + " with this instance's group.instance.id '" + settings.groupInstanceId()
                    + "', and the broker fenced this one. Two running processes share instance-id '"
                    + settings.instanceId() + "' (or group.instance.id); give each its own. This process stops; the "
                    + "other one keeps the partitions.", e);
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
            closing = true;
            if (kafka != null) {
                try {
                    observer.consumerClosing(kafka);
                    // A failed run rejoins at once, so it stays; a stop leaves only when asked to. A catch-up run
                    // that is done leaves: a static member that departs without a word holds up every rebalance
                    // of its group (other topics' pipelines joining it) until its session times out.
                    boolean leave = clean && (settings.leaveGroupOnStop() || catchUp != null
                            || leaveGroupRequested.getAsBoolean());
                    kafka.close(CloseOptions.timeout(Duration.ofSeconds(10)).withGroupMembershipOperation(
                            leave ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                                    : CloseOptions.GroupMembershipOperation.DEFAULT));
                } catch (RuntimeException e) {
                    LOG.warn("pipeline {}: consumer did not close cleanly: {}", settings.name(), e.toString());
                }
            }
            writer.stop(clean);
            consumer = null;
        }
    }

    /**
     * In a catch-up run that has read nothing for a while: whether every one of its topics was deleted (the group
     * takes tens of seconds to notice and revoke their partitions; the run need not wait for it). Asks the cluster
     * at most every {@link #CATCH_UP_SETTLE} / 5.
     */
    private boolean topicsDeletedWhileReading() {
        long now = settings.clock().millis();
        long quietFor = CATCH_UP_SETTLE.toMillis() / 5;
        if (now - lastRecordsMillis < quietFor || now - lastDeletionCheckMillis < quietFor) {
            return false;
        }
        lastDeletionCheckMillis = now;
        List<String> gone = deletedTopics();
        if (gone.isEmpty() || gone.size() < settings.topics().size()) {
            return false;
        }
        LOG.info("pipeline {}: catch-up run: its topics {} were deleted while it read them, so records it had not "
                + "ingested were deleted with them; committing what it read and stopping", settings.name(), gone);
        return true;
    }

    /** The pipeline's listed topics the cluster no longer has; empty when it cannot tell (a pattern, no answer). */
    private List<String> deletedTopics() {
        if (settings.topicPattern() != null) {
            return List.of();
        }
        try {
            java.util.Set<String> existing = consumer.listTopics(Duration.ofSeconds(5)).keySet();
            return settings.topics().stream().filter(t -> !existing.contains(t)).toList();
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
            long now = settings.clock().millis();
            if (unassignedSinceMillis < 0) {
                unassignedSinceMillis = now;
            } else if (now - unassignedSinceMillis >= CATCH_UP_SETTLE.toMillis()) {
                List<String> gone = deletedTopics();
                LOG.info("pipeline {}: catch-up run: the group {} has given this instance no partition of {} for "
                        + "{} s since it joined ({}); nothing to do, stopping", settings.name(), settings.groupId(),
                        settings.topicPattern() != null ? settings.topicPattern() : settings.topics(),
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
        props.putAll(settings.consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The engine always seeks; "none" turns a position that retention deleted into an error, not a jump.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private void pollOnce() {
        applyPause();
        long now = settings.clock().millis();
        long idle = planner.isEmpty() && sealsAwaitingCommit == 0 ? QUIET_POLL_MILLIS : IDLE_POLL_MILLIS;
        long timeout = paused ? idle : Math.min(idle, trigger.millisUntilDue(planner.openBatch(), now));
        if (timeout == 0 && sealsAwaitingCommit > 0) {
            timeout = BUSY_WRITER_POLL_MILLIS; // due, but waiting for the writer: no busy loop
        }
        ConsumerRecords<byte[], byte[]> records;
        long pollStart = System.nanoTime();
        try {
            records = consumer.poll(Duration.ofMillis(timeout));
        } catch (OffsetOutOfRangeException e) {
            if (!expiredOffsets.skipping()) {
                throw expiredOffsets.failure(e);
            }
            dropInFlight();
            expiredOffsets.skip(e, consumer, positions);
            seekFromTable(List.copyOf(planner.tracked()));
            return;
        }
        if (!records.isEmpty()) {
            lastRecordsMillis = settings.clock().millis();
            long readAt = settings.clock().millis();
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    take(partition, record, readAt);
                }
            }
            pollDecodeNanos += System.nanoTime() - pollStart;
        }
        BatchTrigger.OpenBatch open = planner.openBatch();
        drainResults(); // a batch committed meanwhile lets the open one close on time
        if (dueAndWriterFree(open) || trigger.sealWhenCaughtUp(open) && lagMeter.caughtUp()) {
            seal();
        }
        drainResults();
        now = settings.clock().millis();
        if (now - lagRefreshedAt >= LAG_REFRESH_MILLIS) {
            lagRefreshedAt = now;
            observer.lag(lags());
        }
    }

    /** Follows the pipeline's pause switch: pausing first commits the open batch, so a paused table is current. */
    private void applyPause() {
        boolean pause = pauseRequested.getAsBoolean();
        if (pause && !paused) {
            if (!planner.isEmpty()) {
                seal();
            }
            // Paused means the table no longer changes: wait for the open batch's commit before saying so.
            awaitWriter();
            drainResults();
            LOG.info("pipeline {}: paused", settings.name());
        } else if (!pause && paused) {
            consumer.resume(consumer.paused());
            LOG.info("pipeline {}: resumed", settings.name());
        }
        if (pause != paused) {
            paused = pause;
            observer.paused(pause);
        }
        if (paused) {
            // Every poll: partitions assigned by a rebalance since the last one must not be fetched either.
            consumer.pause(consumer.assignment());
        }
    }

    private void take(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, long readAtMillis) {
        if (!planner.accepts(partition, record.offset())) {
            return;
        }
        if (catchUp != null && catchUp.beyond(partition, record.offset())) {
            // Past this catch-up run's end: left for a later run, which reads it again from the table's offsets.
            consumer.pause(List.of(partition));
            return;
        }
        RecordConverter.Outcome outcome = converter.convert(record);
        long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        if (outcome instanceof RecordConverter.Outcome.Row row) {
            if (chunkSchema != row.schema() && !chunk.isEmpty()) {
                flushChunk();
            }
            chunk.add(row.row());
            chunkBytes += size;
            chunkSchema = row.schema();
        } else if (outcome instanceof RecordConverter.Outcome.Delete delete) {
            if (chunkSchema != delete.schema() && !chunk.isEmpty()) {
                flushChunk();
            }
            if (chunkDeletes == null) {
                chunkDeletes = new java.util.BitSet();
            }
            chunkDeletes.set(chunk.size());
            chunk.add(delete.key());
            chunkBytes += size;
            chunkSchema = delete.schema();
        } else if (outcome instanceof RecordConverter.Outcome.Dead dead) {
            openLetters.add(dead.letter());
            openLetterBytes += dead.letter().sizeBytes() + 2L * dead.letter().message().length();
        }
        planner.add(partition, record.offset(), size, record.timestamp(), readAtMillis);
        // Large records: a chunk goes to the writer by bytes too, so rows in flight stay within the budget.
        if (chunk.size() >= CHUNK_ROWS || chunkBytes >= writer.budget() / 8) {
            flushChunk();
            // A batch that fell due while this poll's records were being converted (a table creation, a schema
            // change, a large poll) closes here rather than at the poll's end: a clock read per chunk, not per
            // record. The first batch of a start, whose records waited for the table's creation, commits early.
            if (dueAndWriterFree(planner.openBatch())) {
                seal();
                return;
            }
        }
        // Dead letters travel with their batch's seal: a batch holding half the budget of them closes now. A keyed
        // table's writer holds a batch's rows until it merges them, so such a batch closes at a quarter.
        if (trigger.sealAfterRecord(planner.openBatch()) || openLetterBytes >= writer.budget() / 2
                || (settings.keyed() && planner.openBatch().bytes() >= writer.budget() / 4)) {
            seal();
        }
    }

    private void flushChunk() {
        if (!chunk.isEmpty()) {
            writer.put(new BatchWriter.Task.Rows(chunkSchema, chunk, chunkBytes, chunkDeletes));
            chunk = new ArrayList<>(CHUNK_ROWS);
            chunkDeletes = null;
            chunkBytes = 0;
        }
    }

    /**
     * Waits until the writer has handled everything handed to it: nothing is in flight after this (a batch it
     * dropped after a failure has no outcome, so the count of seals awaiting one starts again from zero).
     */
    private void awaitWriter() {
        writer.barrier();
        sealsAwaitingCommit = 0;
    }

    /**
     * Whether the open batch is due by time and may close now: only while no sealed batch waits for its commit.
     * When commits take longer than the trigger (a backlog after a restart, slow storage), a due batch keeps
     * growing until the writer is free or a size limit closes it, so batches grow when the pipeline is behind and
     * never shrink to a chunk each: fewer, larger commits catch up at the rate of a drain.
     */
    private boolean dueAndWriterFree(BatchTrigger.OpenBatch open) {
        return sealsAwaitingCommit == 0 && trigger.sealOnTime(open, settings.clock().millis());
    }

    private void seal() {
        sealsAwaitingCommit++;
        flushChunk();
        BatchPlanner.PlannedBatch batch = planner.seal();
        writer.put(new BatchWriter.Task.Seal(batchIds.next(), batch, openLetters, pollDecodeNanos,
                lagMeter.logEndOffsets(planner.tracked()), openLetterBytes));
        openLetters = new ArrayList<>();
        openLetterBytes = 0;
        pollDecodeNanos = 0;
    }

    /**
     * How long a commit of group offsets (monitoring only: the table holds the real ones) may take on a stop or a
     * revocation; the client's default minute held up the stop of a deleted topic's pipeline, whose commits are
     * retried until they time out.
     */
    private static final Duration GROUP_OFFSETS_TIMEOUT = Duration.ofSeconds(5);

    private void finishOpenBatch() {
        if (!planner.isEmpty()) {
            seal();
        }
        awaitWriter();
        drainResults();
        try {
            consumer.commitSync(positions.groupOffsets(List.copyOf(positions.tableNextOffsets().keySet())),
                    GROUP_OFFSETS_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: group offsets not committed on stop (monitoring only): {}", settings.name(), e.toString());
        }
    }

    private void drainResults() {
        BatchWriter.Result result;
        boolean committed = false;
        while ((result = writer.nextResult()) != null) {
            sealsAwaitingCommit = Math.max(0, sealsAwaitingCommit - 1);
            if (result.committed()) {
                committed = true;
                positions.committed(result.batch().ranges());
                observer.committed(result.batch(), result.progress());
                commitGroupOffsets(result.batch());
            } else {
                resyncWithTable();
            }
        }
        if (committed) {
            observer.lag(lags());
        }
        writer.checkWriter();
    }

    private List<PartitionLag> lags() {
        return lagMeter.lags(planner.tracked(), positions.tableNextOffsets(), planner::awaitsCommit, paused);
    }

    /** Group offsets for monitoring tools (lag in Kafka UIs); never read back by the engine. */
    private void commitGroupOffsets(BatchPlanner.PlannedBatch batch) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (OffsetRange range : batch.ranges()) {
            TopicPartition partition = new TopicPartition(range.topic(), range.partition());
            if (assigned.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(range.nextOffset()));
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    LOG.debug("pipeline {}: group offset commit failed (monitoring only): {}", settings.name(),
                            error.toString());
                }
            });
        }
    }

    /** After a skipped batch: drop everything in flight and continue from the table's offsets. */
    private void resyncWithTable() {
        LOG.info("pipeline {}: re-reading offsets from table {}", settings.name(), table.location());
        dropOpenBatch();
        awaitWriter();
        continueBatchIdsFromTables();
        seekFromTable(List.copyOf(planner.tracked()));
    }

    /**
     * Moves the batch ids past every batch committed under this instance's app id, in the table and in the
     * dead-letter destination: a restarted process with a fixed instance id continues its predecessor's numbering
     * instead of sending ids the table would refuse or skip.
     */
    private void continueBatchIdsFromTables() {
        String appId = BatchCommit.batchAppId(settings.name(), settings.instanceId());
        long inTable = table.exists() ? table.txnVersion(appId) : -1;
        long inDeadLetters = deadLetters.lastBatchId(appId);
        long before = batchIds.peek();
        batchIds.continueAfter(Math.max(inTable, inDeadLetters));
        if (batchIds.peek() != before) {
            LOG.info("pipeline {}: batch ids of {} continue at {} (table holds batch {}, dead letters batch {})",
                    settings.name(), appId, batchIds.peek(), inTable, inDeadLetters);
        }
    }

    private void dropOpenBatch() {
        planner.discardOpen();
        chunk = new ArrayList<>(CHUNK_ROWS);
        chunkDeletes = null;
        chunkBytes = 0;
        openLetters = new ArrayList<>();
        openLetterBytes = 0;
        chunkSchema = null;
        pollDecodeNanos = 0;
    }

    /** Seals the open batch and waits until the writer committed everything: nothing is in flight after this. */
    private void commitInFlight() {
        if (!planner.isEmpty()) {
            seal();
        }
        awaitWriter();
        drainResults();
    }

    /** Drops the open batch and lets the writer finish the sealed ones: nothing is in flight after this. */
    private void dropInFlight() {
        dropOpenBatch();
        awaitWriter();
        drainResults();
    }

    /** Positions the partitions at the table's offsets; a catch-up run re-reads the ends of any that started over. */
    private void seekFromTable(Collection<TopicPartition> partitions) {
        positions.seekFromTable(partitions);
        List<TopicPartition> startedOver = positions.takeStartedOver();
        if (catchUp != null) {
            catchUp.startedOver(startedOver, consumer);
        }
    }

    // ---- rebalance listener: runs on the poll thread, inside poll() ----

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        joined = true; // called at the end of every rebalance this member takes part in, also with no partition
        lastRecordsMillis = settings.clock().millis(); // quiet counts from here: the new partitions' first fetches
        if (!partitions.isEmpty()) {
            long start = System.nanoTime();
            seekFromTable(partitions);
            if (catchUp != null) {
                catchUp.assigned(partitions, consumer);
            }
            LOG.info("pipeline {}: assigned {} partitions in {} ms: {}", settings.name(), partitions.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), partitions);
            if (paused) {
                consumer.pause(partitions); // before this poll fetches from them
            }
        }
        observer.joined();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !closing) {
            handOver(partitions, true);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !closing) {
            handOver(partitions, false);
        }
    }

    /**
     * Partitions leave this instance: sealed batches are committed (we still own them until this returns), the
     * open batch is dropped, and the partitions we keep go back to the table's offsets (their open rows are gone).
     */
    private void handOver(Collection<TopicPartition> partitions, boolean owned) {
        LOG.info("pipeline {}: {} {}", settings.name(), owned ? "revoked" : "lost", partitions);
        dropInFlight();
        if (owned) {
            try {
                consumer.commitSync(positions.groupOffsets(partitions), GROUP_OFFSETS_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.debug("pipeline {}: group offsets not committed on revocation (monitoring only): {}",
                        settings.name(), e.toString());
            }
        }
        planner.untrack(partitions);
        positions.forget(partitions);
        seekFromTable(List.copyOf(planner.tracked()));
    }
}
