package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterBatch;
import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.BatchOutcome;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.KeyedMerge;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.MergeResult;
import dev.lakehouse.table.OffsetGapException;
import dev.lakehouse.table.RowChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of a pipeline: encodes decoded records into Parquet and commits sealed batches, while the poll thread
 * already reads the next batch. Tasks arrive in order on a bounded queue, which is the back-pressure between the
 * two; they are handled in turns on the process's {@link WriterPool} ({@link #drain}), one turn at a time.
 *
 * <p>After a batch is skipped because the table already holds its offsets (another instance took them, or the
 * chain of positions broke), every later task is dropped until the poll thread, having re-read the table's
 * offsets, sends a {@link Task.Barrier}: nothing built on the stale positions is ever committed.
 */
final class BatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    /** Work for the writer, in poll order. */
    sealed interface Task {
        /** The bytes of read records the task holds, for the hand-off's budget. */
        default long bytes() {
            return 0;
        }

        /**
         * Decoded records, all of {@code schema} (a version of the table schema).
         *
         * @param bytes their serialized key and value bytes
         * @param deletes for a keyed table, which of the rows are deletions of their key (only their key columns
         *                are set); null when none is
         */
        record Rows(Schema schema, List<GenericRecord> rows, long bytes, java.util.BitSet deletes) implements Task {
            Rows(Schema schema, List<GenericRecord> rows, long bytes) {
                this(schema, rows, bytes, null);
            }
        }

        /**
         * Closes the batch the preceding rows belong to and commits it, after writing its dead letters.
         *
         * @param letters the batch's records that are not rows
         * @param latestOffsets log-end offsets the consumer knew when the batch closed, for the progress record
         * @param bytes the dead letters' bytes
         */
        record Seal(long batchId, BatchPlanner.PlannedBatch batch, List<DeadLetter> letters, long pollDecodeNanos,
                    Map<TopicPartition, Long> latestOffsets, long bytes) implements Task {
        }

        /** Drops the open batch's rows and files, clears the skip state, then completes {@code done}. */
        record Barrier(CompletableFuture<Void> done) implements Task {
        }

        /** Drops the open batch and ends the thread. */
        record Shutdown() implements Task {
        }
    }

    /** What happened to a sealed batch, for the poll thread. */
    record Result(BatchPlanner.PlannedBatch batch, boolean committed, BatchProgress progress) {
    }

    private final PipelineSettings settings;
    private final LakeTable table;
    private final DeadLetterDestination deadLetters;
    private final BlockingQueue<Task> tasks;
    private final BlockingQueue<Result> results;
    private final Consumer<BatchProgress> progressSink;
    private final java.util.function.LongConsumer released;

    private DataFileWriter openWriter;
    private Schema openSchema;
    private final List<DataFile> openFiles = new ArrayList<>();
    /**
     * A keyed table's open batch: its changes in order, held until the batch is merged, with their bytes, which go
     * back to the hand-off's budget only then (the poll thread closes such a batch at a quarter of the budget).
     */
    private final List<RowChange> openChanges = new ArrayList<>();
    private long heldBytes;
    private KeyedMerge keyedMerge;
    private long writeNanos;
    private boolean skippingUntilBarrier;
    private volatile Throwable failure;
    /** Set once a shutdown, a failure or an abandonment ended the writer. */
    private volatile boolean ended;
    private volatile boolean abandoned;

    /**
     * @param released told the bytes of every task once it is handled (written, committed or dropped)
     */
    BatchWriter(PipelineSettings settings, LakeTable table, DeadLetterDestination deadLetters,
                BlockingQueue<Task> tasks, BlockingQueue<Result> results, Consumer<BatchProgress> progressSink,
                java.util.function.LongConsumer released) {
        this.released = released;
        this.settings = settings;
        this.table = table;
        this.deadLetters = deadLetters;
        this.tasks = tasks;
        this.results = results;
        this.progressSink = progressSink;
    }

    /** The error that ended the writer, or null. */
    Throwable failure() {
        return failure;
    }

    /**
     * Makes the writer drop its open batch and every task still queued at its next turn, and end: for a stop that
     * could not queue a {@link Task.Shutdown} or did not see it handled in time. A commit already under way
     * finishes.
     */
    void abandon() {
        abandoned = true;
    }

    /**
     * Handles queued tasks in order until the queue is empty, {@code quantumNanos} of work are spent, a
     * {@link Task.Shutdown} is handled or a task fails (kept as {@link #failure()}). Called by one thread at a time
     * ({@link WriterHandOff} runs it as a turn on the {@link WriterPool}).
     *
     * @return whether the writer has ended: nothing it is given from now on is handled
     */
    boolean drain(long quantumNanos) {
        if (ended) {
            return true;
        }
        long start = System.nanoTime();
        try {
            Task task;
            while ((task = tasks.poll()) != null) {
                if (abandoned) {
                    released.accept(task.bytes());
                    throw new InterruptedException("abandoned");
                }
                boolean held = settings.keys().keyed() && task instanceof Task.Rows;
                try {
                    handle(task);
                } finally {
                    if (held) {
                        heldBytes += task.bytes();
                    } else {
                        released.accept(task.bytes());
                    }
                }
                if (task instanceof Task.Shutdown) {
                    ended = true;
                    return true;
                }
                if (System.nanoTime() - start >= quantumNanos) {
                    return false;
                }
            }
            if (abandoned) {
                throw new InterruptedException("abandoned");
            }
            return false;
        } catch (InterruptedException e) {
            ended = true;
            dropOpenBatch();
            return true;
        } catch (Throwable e) {
            failure = e;
            ended = true;
            dropOpenBatch();
            // Release a poll thread waiting at a barrier: it checks failure() when the barrier completes.
            tasks.stream().filter(Task.Barrier.class::isInstance)
                    .forEach(t -> ((Task.Barrier) t).done().complete(null));
            return true;
        }
    }

    /** Handles one task; a {@link Task.Shutdown} drops the open batch (the caller then ends the thread). */
    private void handle(Task task) throws InterruptedException {
        if (task instanceof Task.Rows rows) {
            if (!skippingUntilBarrier) {
                write(rows);
            }
        } else if (task instanceof Task.Seal seal) {
            if (!skippingUntilBarrier) {
                commit(seal);
            } else {
                dropOpenBatch();
            }
        } else if (task instanceof Task.Barrier barrier) {
            dropOpenBatch();
            skippingUntilBarrier = false;
            barrier.done().complete(null);
        } else {
            dropOpenBatch();
        }
    }

    private void write(Task.Rows rows) {
        long start = System.nanoTime();
        if (settings.keys().keyed()) {
            for (int i = 0; i < rows.rows().size(); i++) {
                GenericRecord row = rows.rows().get(i);
                openChanges.add(rows.deletes() != null && rows.deletes().get(i) ? RowChange.delete(row)
                        : RowChange.upsert(row));
            }
            writeNanos += System.nanoTime() - start;
            return;
        }
        if (openWriter == null || openSchema != rows.schema()) {
            // A schema change within a batch: the files written so far keep the older columns, which is valid
            // (readers fill the new columns with nulls), and the rest goes into files of the new schema.
            if (openWriter != null) {
                openFiles.addAll(openWriter.finish());
            }
            openWriter = table.newDataFileWriter(rows.schema());
            openSchema = rows.schema();
        }
        for (GenericRecord row : rows.rows()) {
            openWriter.write(row);
        }
        settings.services().processByteBudget().openFiles(this, openWriter.openFileBytes());
        writeNanos += System.nanoTime() - start;
    }

    private void commit(Task.Seal seal) throws InterruptedException {
        long start = System.nanoTime();
        if (openWriter != null) {
            openFiles.addAll(openWriter.finish());
            openWriter = null;
            openSchema = null;
        }
        settings.services().processByteBudget().openFiles(this, 0);
        List<DataFile> files = List.copyOf(openFiles);
        openFiles.clear();
        BatchPlanner.PlannedBatch batch = seal.batch();
        // Dead letters first: a committed batch always has its dead letters stored. If this batch is never
        // committed, the destination still holds them, and the next attempt neither stores them twice nor ingests
        // those records (DeadLetterDestination#writtenFrom).
        deadLetters.write(new DeadLetterBatch(settings.name(), settings.instanceId(), seal.batchId(), batch.ranges(),
                seal.letters()));
        BatchCommit commit = new BatchCommit(settings.name(), settings.instanceId(), seal.batchId(), files,
                batch.ranges(), Map.of("inputRows", Long.toString(batch.records()),
                        "inputBytes", Long.toString(batch.bytes()),
                        "deadLetters", Integer.toString(seal.letters().size())));
        if (settings.keys().keyed()) {
            merge(seal, start);
            return;
        }
        BatchOutcome outcome;
        long version = -1;
        try {
            if (files.isEmpty() && !table.exists()) {
                // Only dead letters so far, and no schema to create the table with. The dead letters are stored;
                // the table will take the offsets with its first rows.
                outcome = BatchOutcome.NO_TABLE_YET;
                finish(seal, outcome, version, files, start);
                return;
            }
            CommitOutcome result = table.commit(commit);
            outcome = BatchOutcome.of(result.status());
            version = result.version();
            if (result.status() != CommitOutcome.Status.COMMITTED) {
                LOG.warn("pipeline {}: batch {} skipped: {}", settings.name(), seal.batchId(), result.detail());
            }
        } catch (OffsetGapException e) {
            LOG.warn("pipeline {}: batch {} not committed, its offsets do not continue the table's: {}",
                    settings.name(), seal.batchId(), e.getMessage());
            outcome = BatchOutcome.OFFSET_GAP;
        }
        finish(seal, outcome, version, files, start);
    }

    /**
     * Commits a keyed table's batch as one merge ({@link KeyedMerge}): its changes replace, add and delete rows by
     * key, with the batch's offsets, in one commit.
     */
    private void merge(Task.Seal seal, long start) throws InterruptedException {
        BatchPlanner.PlannedBatch batch = seal.batch();
        List<RowChange> changes = List.copyOf(openChanges);
        openChanges.clear();
        BatchOutcome outcome;
        long version = -1;
        MergeResult merged = null;
        try {
            deadLetters.write(new DeadLetterBatch(settings.name(), settings.instanceId(), seal.batchId(),
                    batch.ranges(), seal.letters()));
            if (changes.isEmpty() && !table.exists()) {
                outcome = BatchOutcome.NO_TABLE_YET;
            } else {
                if (keyedMerge == null) {
                    keyedMerge = KeyedMerges.of(settings, table);
                }
                try {
                    merged = keyedMerge.apply(settings.name(), settings.instanceId(), seal.batchId(), batch.ranges(),
                            changes, Map.of("inputRows", Long.toString(batch.records()),
                                    "inputBytes", Long.toString(batch.bytes()),
                                    "deadLetters", Integer.toString(seal.letters().size())));
                    outcome = BatchOutcome.of(merged.outcome().status());
                    version = merged.outcome().version();
                    if (merged.outcome().status() != CommitOutcome.Status.COMMITTED) {
                        LOG.warn("pipeline {}: batch {} skipped: {}", settings.name(), seal.batchId(),
                                merged.outcome().detail());
                    }
                } catch (OffsetGapException e) {
                    LOG.warn("pipeline {}: batch {} not committed, its offsets do not continue the table's: {}",
                            settings.name(), seal.batchId(), e.getMessage());
                    outcome = BatchOutcome.OFFSET_GAP;
                }
            }
        } finally {
            releaseHeld();
        }
        if (merged != null && merged.outcome().committed()) {
            LOG.debug("pipeline {}: batch {} merged: {} inserted, {} updated, {} deleted, {} files rewritten ({} rows "
                    + "copied)", settings.name(), seal.batchId(), merged.inserted(), merged.updated(),
                    merged.deleted(), merged.filesRemoved(), merged.copied());
        }
        BatchProgress.MergeCounts counts = merged == null || !merged.outcome().committed() ? null
                : new BatchProgress.MergeCounts(merged.inserted(), merged.updated(), merged.deleted(), merged.copied(),
                merged.skipped(), merged.filesRemoved());
        finish(seal, outcome, version, merged == null ? 0 : merged.filesAdded(),
                merged == null ? 0 : merged.bytesAdded(), counts, start);
    }

    private void releaseHeld() {
        released.accept(heldBytes);
        heldBytes = 0;
    }

    private void finish(Task.Seal seal, BatchOutcome outcome, long version, List<DataFile> files, long start)
            throws InterruptedException {
        finish(seal, outcome, version, files.size(), files.stream().mapToLong(DataFile::sizeBytes).sum(), null,
                start);
    }

    private void finish(Task.Seal seal, BatchOutcome outcome, long version, int filesWritten, long bytesWritten,
                        BatchProgress.MergeCounts merge, long start) throws InterruptedException {
        // Anything but a commit makes the poll thread re-read the table: a duplicate batch id means another run
        // committed under this batch id (the table's commit loop recognizes its own retried commits as COMMITTED),
        // so neither its offsets nor its id may be taken as this batch's.
        boolean committed = outcome.committed();
        if (!committed) {
            skippingUntilBarrier = true;
        }
        long commitNanos = System.nanoTime() - start;
        BatchProgress progress = BatchProgressReport.of(settings, seal, outcome, version, filesWritten, bytesWritten,
                merge, writeNanos, commitNanos);
        writeNanos = 0;
        progressSink.accept(progress);
        results.put(new Result(seal.batch(), committed, progress));
    }

    /** Abandons the open batch: its files are deleted best effort, and are orphans vacuum removes otherwise. */
    private void dropOpenBatch() {
        openChanges.clear();
        releaseHeld();
        if (openWriter != null) {
            openWriter.abort();
            openWriter = null;
            openSchema = null;
        }
        openFiles.clear();
        settings.services().processByteBudget().openFiles(this, 0);
        writeNanos = 0;
    }
}
