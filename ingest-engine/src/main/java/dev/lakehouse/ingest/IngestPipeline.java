package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.VisibilityHistogram;
import dev.lakehouse.table.LakeTable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka-to-table pipeline: exactly-once micro-batches, each committed with its offsets in one Delta commit.
 *
 * <p><strong>Guarantees.</strong> Every record of the subscribed partitions lands in the table exactly once,
 * across crashes, restarts and rebalances between instances of one consumer group: the table's transaction
 * entries hold each partition's next offset, the pipeline seeks there on every assignment, and a batch whose
 * offsets the table already holds is skipped (see {@link LakeTable#commit}). Kafka group offsets are committed
 * after the table commit for monitoring only.
 *
 * <p><strong>Threads.</strong> A poll thread polls, plans batches and decodes; a writer thread encodes Parquet and
 * commits, so both cores work. {@link #start()} returns at once.
 *
 * <p><strong>Failures.</strong> A transient failure (broker, registry or storage unreachable) ends the current run;
 * the pipeline drops its uncommitted work and starts again from the table's offsets after a backoff (1 s doubling
 * to 1 min), in state {@link PipelineState#RETRYING}. Transient failures never turn records into dead letters.
 *
 * <p><strong>Bad records.</strong> A record that cannot be decoded or does not fit the table goes to the
 * {@link DeadLetterDestination} with a {@link DeadLetterReason}, in the same batch; without a destination, or for
 * an incompatible writer schema under the {@code FAIL} policy, the pipeline stops in {@link PipelineState#FAILED}
 * with the error in {@link #status()}, as it does for expired offsets (unless skipping was opted into) and bad
 * settings.
 */
public final class IngestPipeline implements RunningPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final PipelineSettings settings;
    private final LakeTable table;
    private final RecordDecoder decoder;
    private final DeadLetterDestination deadLetters;
    private final BatchIdSequence batchIds = new BatchIdSequence();
    private final CatchUpTargets catchUpTargets;
    private final StatusBoard board;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    private volatile boolean stopRequested;
    private volatile boolean leaveGroupRequested;
    private volatile boolean pauseRequested;
    private Thread pollThread;
    /** The running loop's consumer, for waking its poll on a stop; null between runs. */
    private volatile org.apache.kafka.clients.consumer.Consumer<?, ?> liveConsumer;

    /**
     * A pipeline without a dead-letter destination: the first record that cannot be ingested stops it.
     *
     * @param settings what to read and how to batch
     * @param table the table to write; this pipeline must be its only writer process on object stores
     * @param decoder turns record values into table rows
     */
    public IngestPipeline(PipelineSettings settings, LakeTable table, RecordDecoder decoder) {
        this(settings, table, decoder, DeadLetterDestination.none());
    }

    /**
     * @param settings what to read and how to batch
     * @param table the table to write; this pipeline must be its only writer process on object stores
     * @param decoder turns record values into table rows
     * @param deadLetters where records that cannot be rows go, exactly once, with the batch they came from
     */
    public IngestPipeline(PipelineSettings settings, LakeTable table, RecordDecoder decoder,
                          DeadLetterDestination deadLetters) {
        this.settings = settings;
        this.table = table;
        this.decoder = decoder;
        this.deadLetters = deadLetters;
        this.catchUpTargets = settings.source().catchUpOnly() ? new CatchUpTargets() : null;
        this.board = new StatusBoard(settings.name(), settings.progressHistory(), settings.freshnessObjective(),
                settings.services().clock());
    }

    /** Where this pipeline's dead letters go ({@link DeadLetterDestination#none()} if nowhere). */
    public DeadLetterDestination deadLetters() {
        return deadLetters;
    }

    @Override
    public String deadLetterDestination() {
        return deadLetters.describe();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public LakeTable table() {
        return table;
    }

    /** Calls {@code listener} on the writer thread after every batch; it must be quick and must not throw. */
    @Override
    public void addProgressListener(Consumer<BatchProgress> listener) {
        board.addProgressListener(listener);
    }

    /** Tells {@code listener} about each Kafka consumer the pipeline creates (one per run). */
    @Override
    public void addConsumerListener(ConsumerListener listener) {
        board.addConsumerListener(listener);
    }

    /**
     * Stops reading: the open batch is committed, then the partitions are paused. The consumer stays in its group
     * and keeps its partitions, so no other instance takes them over, and the lag keeps being measured. Returns at
     * once; {@link #status()} shows {@link PipelineState#PAUSED} once the open batch is committed, from when on the
     * table does not change until {@link #resume()}. A pipeline restarted after a transient failure stays paused.
     * Idempotent.
     */
    @Override
    public void pause() {
        if (!pauseRequested) {
            LOG.info("pipeline {}: pause requested", settings.name());
        }
        pauseRequested = true;
    }

    /** Reads again from where the pipeline paused. Idempotent. */
    @Override
    public void resume() {
        if (pauseRequested) {
            LOG.info("pipeline {}: resume requested", settings.name());
        }
        pauseRequested = false;
    }

    @Override
    public boolean inGroup() {
        return board.inGroup();
    }

    @Override
    public VisibilityHistogram.Snapshot visibility() {
        return board.visibility();
    }

    /** Whether {@link #pause()} was called without a {@link #resume()} since. */
    @Override
    public boolean isPaused() {
        return pauseRequested;
    }

    /**
     * Starts the pipeline's threads and returns.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public synchronized void start() {
        if (board.state() != PipelineState.NEW) {
            throw new IllegalStateException("pipeline " + settings.name() + " was already started");
        }
        board.state(PipelineState.RUNNING);
        pollThread = new Thread(this::supervise, "lakehouse-" + settings.name() + "-poll");
        pollThread.start();
    }

    /**
     * Asks the pipeline to stop: the open batch is committed, then the consumer leaves its group. Returns at once;
     * use {@link #awaitTermination} to wait.
     */
    @Override
    public void stop() {
        stopRequested = true;
        if (board.state() == PipelineState.RUNNING || board.state() == PipelineState.RETRYING) {
            board.state(PipelineState.STOPPING);
        }
        stopSignal.countDown(); // wakes a backoff wait
        org.apache.kafka.clients.consumer.Consumer<?, ?> consumer = liveConsumer;
        if (consumer != null) {
            consumer.wakeup(); // an idle poll waits up to a second: it sees the stop now
        }
    }

    /** Waits until the pipeline stopped or failed. @return false on timeout */
    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Ends the pipeline for good (its topic was deleted): as {@link #close()}, and its consumer leaves the group,
     * so the group's other members never wait for it to time out.
     */
    @Override
    public void retire() {
        leaveGroupRequested = true;
        close();
    }

    /** Stops, waits up to two minutes, and closes the dead-letter destination. */
    @Override
    public void close() {
        stop();
        try {
            if (pollThread != null && !awaitTermination(Duration.ofMinutes(2))) {
                LOG.warn("pipeline {} did not stop within 2 minutes", settings.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deadLetters.close();
        }
    }

    @Override
    public PipelineStatus status() {
        return board.status(pauseRequested);
    }

    /** The latest batch progress records, oldest first (at most {@link PipelineSettings#progressHistory()}). */
    @Override
    public List<BatchProgress> recentProgress() {
        return board.recentProgress();
    }

    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        try {
            while (!stopRequested) {
                long committedBefore = board.batchesCommitted();
                board.paused(false); // a new run pauses again (its first poll) if a pause is still requested
                try {
                    new PollLoop(settings, table, decoder, deadLetters, batchIds, catchUpTargets, board::progress,
                            new RunObserver())
                            .leavingGroupWhen(() -> leaveGroupRequested)
                            .run(() -> stopRequested, () -> pauseRequested);
                    break;
                } catch (Exception | Error e) {
                    // Exception, not RuntimeException: delta-standalone's Scala code throws checked exceptions
                    // (a ConnectException while storage is down) without declaring them.
                    if (stopRequested) {
                        LOG.info("pipeline {}: run ended while stopping: {}", settings.name(), e.toString());
                        break;
                    }
                    String error = e.getMessage() != null ? e.getMessage() : e.toString();
                    board.error(error);
                    if (!FailureClassifier.isTransient(e)) {
                        board.state(PipelineState.FAILED);
                        LOG.error("pipeline {} failed: {}", settings.name(), error, e);
                        return;
                    }
                    if (board.batchesCommitted() > committedBefore) {
                        backoff = FIRST_BACKOFF; // the last run made progress: this is a new outage
                    }
                    board.state(PipelineState.RETRYING);
                    LOG.warn("pipeline {}: {}; restarting from the table's offsets in {} s", settings.name(), error,
                            backoff.toSeconds(), e);
                    if (!sleep(backoff)) {
                        break;
                    }
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                    if (!stopRequested) {
                        board.state(PipelineState.RUNNING);
                    }
                }
            }
            board.state(PipelineState.STOPPED);
            LOG.info("pipeline {} stopped", settings.name());
        } finally {
            terminated.countDown();
        }
    }

    /** Waits out a backoff; false when a stop was requested meanwhile. */
    private boolean sleep(Duration duration) {
        try {
            return !settings.services().sleeper().sleepUnlessSignalled(duration, stopSignal);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The board, and the consumer to wake on a stop. */
    private final class RunObserver implements PollLoop.Observer {
        @Override
        public void committed(BatchPlanner.PlannedBatch batch, BatchProgress progress) {
            board.committed(batch, progress);
        }

        @Override
        public void lag(List<PartitionLag> partitions) {
            board.lag(partitions);
        }

        @Override
        public void paused(boolean paused) {
            board.paused(paused);
        }

        @Override
        public void joined() {
            board.joined();
        }

        @Override
        public void consumerOpened(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
            liveConsumer = consumer;
            board.consumerOpened(consumer);
        }

        @Override
        public void consumerClosing(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
            liveConsumer = null;
            board.consumerClosing(consumer);
        }
    }
}
