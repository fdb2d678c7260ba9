package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.LagMeter;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.table.LakeTable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

/**
 * One table's side of a run: the open batch and its offsets ({@link BatchPlanner}), when it closes ({@link
 * BatchTrigger}, {@link SealTiming}), its records turned into rows ({@link RecordConverter}) and handed in chunks
 * ({@link OpenRows}) to the table's writer ({@link WriterHandOff}), what the writer's commits say, the table's
 * offsets ({@link TablePositions}) and the lag ({@link LagMeter}). The run owns the consumer, feeds this the records
 * of the table's partitions and tells it about assignments. Poll thread only. Offsets come from the table only: on
 * every assignment the lane seeks to the table's next offsets, and when it must drop work (revocation, a skipped
 * batch) it re-reads them; Kafka group offsets are committed after the table commit, for monitoring only.
 */
final class TableLane {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableLane.class);

    private final PipelineSettings settings;
    private final LakeTable table;
    private final DeadLetterDestination deadLetters;
    private final RecordConverter converter;
    private final BatchIdSequence batchIds;
    private final PollLoop.Observer observer;
    private final BatchPlanner planner;
    private final BatchTrigger trigger;
    private final WriterHandOff writer;
    private final ExpiredOffsets expiredOffsets;
    /** Where a catch-up run ends; null in an ordinary run. */
    private final CatchUpTargets catchUp;
    /** Which of the consumer's partitions are this table's: all of them, unless the consumer reads for many. */
    private final Predicate<TopicPartition> owned;
    /** When the open batch may close by time, given the sealed batches awaiting their commit. */
    private final SealTiming timing;

    /** Set by {@link #attach}: the run's consumer, and what needs it. */
    private Consumer<byte[], byte[]> consumer;
    private TablePositions positions;
    private LagMeter lagMeter;
    /** The open batch's rows not yet handed to the writer, and its dead letters. */
    private final OpenRows open;
    private long pollDecodeNanos;
    /** Whether the lane's partitions are paused by the pipeline's pause switch. */
    private boolean paused;

    TableLane(PipelineSettings settings, LakeTable table, RecordDecoder decoder, DeadLetterDestination deadLetters,
              BatchIdSequence batchIds, CatchUpTargets catchUp, java.util.function.Consumer<BatchProgress> progressSink,
              PollLoop.Observer observer) {
        this(settings, table, decoder, deadLetters, batchIds, catchUp, progressSink, observer, partition -> true);
    }

    /**
     * A lane for a consumer that reads for many tables.
     *
     * @param owned which of the consumer's partitions are this table's
     */
    TableLane(PipelineSettings settings, LakeTable table, RecordDecoder decoder, DeadLetterDestination deadLetters,
              BatchIdSequence batchIds, CatchUpTargets catchUp, java.util.function.Consumer<BatchProgress> progressSink,
              PollLoop.Observer observer, Predicate<TopicPartition> owned) {
        this.owned = owned;
        this.settings = settings;
        this.open = new OpenRows(settings.keys().keyed());
        this.table = table;
        this.deadLetters = deadLetters;
        this.converter = new RecordConverter(settings, table, decoder, !deadLetters.isNone(), true);
        this.batchIds = batchIds;
        this.observer = observer;
        this.planner = new BatchPlanner(settings.services().clock());
        this.trigger = BatchTrigger.of(settings);
        this.timing = new SealTiming(trigger, settings.services().clock());
        this.writer = new WriterHandOff(settings, table, deadLetters, progressSink);
        this.expiredOffsets = new ExpiredOffsets(settings, table, batchIds);
        this.catchUp = catchUp;
    }

    /** Lets the writer work, and moves the batch ids past what the table and the dead letters hold. */
    void start() {
        writer.start();
        batchIds.continueFromTables(settings, table, deadLetters);
    }

    /** Binds the lane to the run's consumer, before it subscribes. */
    void attach(Consumer<byte[], byte[]> kafka) {
        attach(kafka, kafka::assignment, settings.services().topicIds());
    }

    /**
     * As {@link #attach(Consumer)}, with the consumer's assignment from {@code assignment} (one copy shared by the
     * tables of a consumer that reads for many), never modified, and the topics' ids from {@code topicIds} (looked
     * up once for all of them).
     */
    void attach(Consumer<byte[], byte[]> kafka, Supplier<Set<TopicPartition>> assignment, TopicIdLookup topicIds) {
        this.consumer = kafka;
        this.positions = new TablePositions(settings, table, deadLetters, converter, planner, kafka, batchIds,
                this::commitInFlight, topicIds);
        this.lagMeter = new LagMeter(settings.name(), kafka, owned, assignment);
    }

    /** Ends the writer: after a clean run it may finish its commit, else what it holds is dropped. */
    void stop(boolean clean) {
        writer.stop(clean);
        consumer = null;
    }

    // ---- the poll thread's steps ----

    /** How long the next poll may wait ({@link SealTiming#pollTimeoutMillis}). */
    long pollTimeoutMillis(long quietMillis, long idleMillis, long busyWriterMillis) {
        return timing.pollTimeoutMillis(planner.openBatch(), planner.isEmpty(), paused, quietMillis, idleMillis,
                busyWriterMillis);
    }

    /** A poll found offsets that retention deleted: fails the run, or skips them when the settings say so. */
    void offsetsExpired(OffsetOutOfRangeException e) {
        if (!expiredOffsets.skipping()) {
            throw expiredOffsets.failure(e);
        }
        dropInFlight();
        expiredOffsets.skip(e, consumer, positions);
        seekFromTable(List.copyOf(planner.tracked()));
    }

    /** Counts the time the poll thread spent polling and converting, for the batch's progress record. */
    void addPollDecodeNanos(long nanos) {
        pollDecodeNanos += nanos;
    }

    /**
     * Whether {@link #take} of this record would create the lane's table (see
     * {@link RecordConverter#createTableFor}): the table did not exist, and the record is one this lane takes.
     */
    boolean wouldCreateTable(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        return converter.mayCreateTable() && planner.accepts(partition, record.offset())
                && (catchUp == null || !catchUp.beyond(partition, record.offset()));
    }

    /** Creates the table as {@link #take} of the record would; the record itself is taken later. */
    void createTableFor(ConsumerRecord<byte[], byte[]> record) {
        converter.createTableFor(record);
    }

    /** Converts one polled record into the open batch (a row, a deletion or a dead letter). */
    void take(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, long readAtMillis) {
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
            if (open.schemaChanges(row.schema())) {
                flushChunk();
            }
            open.addRow(row.schema(), row.row(), size);
        } else if (outcome instanceof RecordConverter.Outcome.Delete delete) {
            if (open.schemaChanges(delete.schema())) {
                flushChunk();
            }
            open.addDeletion(delete.schema(), delete.key(), size);
        } else if (outcome instanceof RecordConverter.Outcome.Dead dead) {
            open.addLetter(dead.letter());
        }
        planner.add(partition, record.offset(), size, converter.eventTime(outcome, record.timestamp()), readAtMillis);
        // Large records: a chunk goes to the writer by bytes too, so rows in flight stay within the budget.
        if (open.chunkFull(writer.budget())) {
            flushChunk();
            // A batch that fell due while this poll's records were being converted (a table creation, a schema
            // change, a large poll), or whose open files are the largest of a process over its budget, closes here
            // rather than at the poll's end. The first batch of a start, waiting for its table, commits early.
            if (timing.mayClose(planner.openBatch(), writer.openFilesOverBudget())) {
                seal();
                return;
            }
        }
        // Dead letters travel with their batch's seal: a batch holding half the budget of them closes now. A keyed
        // table's writer holds a batch's rows (charged decoded) until it merges them: such a batch closes at half.
        if (trigger.sealAfterRecord(planner.openBatch()) || open.letterBytes() >= writer.budget() / 2
                || (settings.keys().keyed() && open.batchBytes() >= writer.budget() / 2)) {
            seal();
        }
    }

    /**
     * After a poll: takes the writer's outcomes, closes the open batch when due (by time or for memory while the writer
     * is free: {@link SealTiming#mayClose}; or read to the partitions' ends), and takes outcomes again.
     */
    void afterPoll() {
        BatchTrigger.OpenBatch open = planner.openBatch();
        drainResults(); // a batch committed meanwhile lets the open one close on time
        if (timing.mayClose(open, writer.openFilesOverBudget())
                || trigger.sealWhenCaughtUp(open) && lagMeter.caughtUp()) {
            seal();
        }
        drainResults();
    }

    /** Reports the lag per partition to the observer. */
    void reportLag() {
        observer.lag(lags());
    }

    /**
     * Follows the pipeline's pause switch. Pausing first commits the open batch and waits for the writer, so a
     * paused table no longer changes; while paused, every assigned partition is paused (also those a rebalance
     * gave since the last poll).
     *
     * @return whether the lane is paused now
     */
    boolean applyPause(boolean pause) {
        if (pause && !paused) {
            commitInFlight();
            LOG.info("pipeline {}: paused", settings.name());
        } else if (!pause && paused) {
            consumer.resume(mine(consumer.paused()));
            LOG.info("pipeline {}: resumed", settings.name());
        }
        if (pause != paused) {
            paused = pause;
            observer.paused(pause);
        }
        if (paused) {
            consumer.pause(mine(consumer.assignment()));
        }
        return paused;
    }

    /** The table's partitions among {@code partitions}. */
    List<TopicPartition> mine(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(owned).toList();
    }

    boolean paused() {
        return paused;
    }

    /**
     * Hands the open batch to the writer without waiting for its commit: a run that ends seals every table's batch
     * first, so that their last commits run side by side on the writer pool, then {@link #finish()}es each.
     */
    void sealOpenBatch() {
        if (!planner.isEmpty()) {
            seal();
        }
    }

    /** On a clean stop: commits the open batch, waits for the writer, and records group offsets for monitoring. */
    void finish() {
        finishCommits();
        GroupOffsets.commitNow(consumer, groupOffsetsOnStop(), settings.name(), "stop");
    }

    /** The first half of {@link #finish()}: the open batch committed, the writer idle. */
    void finishCommits() {
        commitInFlight();
    }

    /** The group offsets that {@link #finish()} records: the table's offsets, for monitoring only. */
    Map<TopicPartition, OffsetAndMetadata> groupOffsetsOnStop() {
        return positions.groupOffsets(List.copyOf(positions.tableNextOffsets().keySet()));
    }

    // ---- assignment changes (called by PartitionHandOver, inside a poll) ----

    /** Partitions given to this instance: positioned at the table's offsets. */
    void assigned(Collection<TopicPartition> partitions) {
        seekFromTable(partitions);
        if (catchUp != null) {
            catchUp.assigned(partitions, consumer);
        }
        if (paused) {
            consumer.pause(partitions); // before this poll fetches from them
        }
    }

    /**
     * Partitions leave this instance: sealed batches are committed (we still own them until this returns), the
     * open batch is dropped, and the partitions we keep go back to the table's offsets (their open rows are gone).
     */
    void handOver(Collection<TopicPartition> partitions, boolean owned) {
        LOG.info("pipeline {}: {} {}", settings.name(), owned ? "revoked" : "lost", partitions);
        dropInFlight();
        if (owned) {
            GroupOffsets.commitNow(consumer, positions.groupOffsets(partitions), settings.name(), "revocation");
        }
        planner.untrack(partitions);
        positions.forget(partitions);
        seekFromTable(List.copyOf(planner.tracked()));
    }

    // ---- batches ----

    private void flushChunk() {
        BatchWriter.Task.Rows rows = open.takeChunk();
        if (rows != null) {
            writer.put(rows);
        }
    }

    /** Waits until the writer has handled everything handed to it: nothing is in flight after this. */
    private void awaitWriter() {
        writer.barrier();
        timing.writerIdle();
    }

    private void seal() {
        timing.sealed();
        flushChunk();
        open.sealed();
        BatchPlanner.PlannedBatch batch = planner.seal();
        long letterBytes = open.letterBytes();
        writer.put(new BatchWriter.Task.Seal(batchIds.next(), batch, open.takeLetters(), pollDecodeNanos,
                lagMeter.logEndOffsets(planner.tracked()), letterBytes));
        pollDecodeNanos = 0;
    }

    private void drainResults() {
        BatchWriter.Result result;
        boolean committed = false;
        while ((result = writer.nextResult()) != null) {
            timing.outcome();
            if (result.committed()) {
                committed = true;
                positions.committed(result.batch().ranges());
                observer.committed(result.batch(), result.progress());
                GroupOffsets.afterBatch(consumer, result.batch().ranges(), settings.name());
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

    /** After a skipped batch: drop everything in flight and continue from the table's offsets. */
    private void resyncWithTable() {
        LOG.info("pipeline {}: re-reading offsets from table {}", settings.name(), table.location());
        dropOpenBatch();
        awaitWriter();
        batchIds.continueFromTables(settings, table, deadLetters);
        seekFromTable(List.copyOf(planner.tracked()));
    }

    private void dropOpenBatch() {
        planner.discardOpen();
        open.clear();
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
}
