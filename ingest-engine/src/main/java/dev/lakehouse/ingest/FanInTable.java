package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
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
 * One topic's table among the many a {@link TopicFanIn} reads for with one consumer: the same exactly-once
 * micro-batches as an {@link IngestPipeline} (each batch committed with its offsets in one Delta commit, positions
 * from the table on every assignment), with its own decoder, dead letters, batch ids, state, pause switch and
 * progress, but no thread and no consumer of its own.
 *
 * <p><strong>Failures stay in their table.</strong> A transient failure (storage or registry unreachable) drops the
 * table's uncommitted work, pauses its partitions and starts it again from its offsets after a backoff (1 s doubling
 * to 1 min), in state {@link PipelineState#RETRYING}; any other failure stops the table in
 * {@link PipelineState#FAILED} with the error in {@link #status()}. The other tables of the fan-in keep going.
 */
public final class FanInTable implements RunningPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(FanInTable.class);

    private final TopicFanIn fanIn;
    private final PipelineSettings settings;
    private final String topic;
    private final LakeTable table;
    private final RecordDecoder decoder;
    private final DeadLetterDestination deadLetters;
    private final BatchIdSequence batchIds = new BatchIdSequence();
    private final StatusBoard board;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CountDownLatch removed = new CountDownLatch(1);
    private volatile boolean pauseRequested;
    private volatile boolean active;
    private volatile boolean removeRequested;

    FanInTable(TopicFanIn fanIn, PipelineSettings settings, LakeTable table, RecordDecoder decoder,
               DeadLetterDestination deadLetters) {
        if (settings.source().topicPattern() != null || settings.source().topics().size() != 1) {
            throw new IllegalArgumentException("a fan-in table reads exactly one topic; pipeline " + settings.name()
                    + " has " + (settings.source().topicPattern() != null ? "a pattern" : settings.source().topics()));
        }
        this.fanIn = fanIn;
        this.settings = settings;
        this.topic = settings.source().topics().get(0);
        this.table = table;
        this.decoder = decoder;
        this.deadLetters = deadLetters;
        this.board = new StatusBoard(settings.name(), settings.progressHistory(), settings.freshnessObjective(),
                settings.services().clock());
    }

    /** The topic this table holds. */
    public String topic() {
        return topic;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public LakeTable table() {
        return table;
    }

    @Override
    public String deadLetterDestination() {
        return deadLetters.describe();
    }

    @Override
    public PipelineStatus status() {
        return board.status(pauseRequested);
    }

    @Override
    public List<BatchProgress> recentProgress() {
        return board.recentProgress();
    }

    @Override
    public void addProgressListener(Consumer<BatchProgress> listener) {
        board.addProgressListener(listener);
    }

    /**
     * Not told of anything: the table has no consumer of its own. The fan-in's consumer is reported through
     * {@link TopicFanIn#addConsumerListener}, once for all its tables.
     */
    @Override
    public void addConsumerListener(ConsumerListener listener) {
    }

    @Override
    public boolean inGroup() {
        return board.inGroup();
    }

    @Override
    public VisibilityHistogram.Snapshot visibility() {
        return board.visibility();
    }

    /** As {@link IngestPipeline#pause()}: the open batch is committed, then the table's partitions are paused. */
    @Override
    public void pause() {
        if (!pauseRequested) {
            LOG.info("pipeline {}: pause requested", settings.name());
        }
        pauseRequested = true;
    }

    @Override
    public void resume() {
        if (pauseRequested) {
            LOG.info("pipeline {}: resume requested", settings.name());
        }
        pauseRequested = false;
    }

    @Override
    public boolean isPaused() {
        return pauseRequested;
    }

    /** Joins the fan-in's loop: from its next round on, the table's topic is read. Idempotent. */
    @Override
    public void start() {
        if (!active) {
            active = true;
            fanIn.membersChanged();
        }
    }

    /** Stops the whole fan-in: its tables share one consumer. */
    @Override
    public void stop() {
        fanIn.stop();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Leaves the fan-in for good (its topic was deleted): the open batch is committed, the table stops, and the
     * consumer no longer subscribes to the topic. Waits up to two minutes for it, then closes the dead letters.
     */
    @Override
    public void retire() {
        removeRequested = true;
        fanIn.membersChanged();
        try {
            if (fanIn.running() && !removed.await(2, TimeUnit.MINUTES)) {
                LOG.warn("pipeline {}: not released within 2 minutes", settings.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ended(PipelineState.STOPPED);
            deadLetters.close();
        }
    }

    /** Stops the fan-in, waits for it, and closes this table's dead letters. */
    @Override
    public void close() {
        fanIn.close();
        deadLetters.close();
    }

    // ---- for the fan-in's loop ----

    PipelineSettings settings() {
        return settings;
    }

    StatusBoard board() {
        return board;
    }

    boolean active() {
        return active && !removeRequested;
    }

    boolean removeRequested() {
        return removeRequested;
    }

    boolean pauseRequested() {
        return pauseRequested;
    }

    /** A new lane for this table (at its start, and after each transient failure). */
    TableLane newLane(CatchUpTargets catchUp) {
        return new TableLane(settings, table, decoder, deadLetters, batchIds, catchUp, board::progress, board,
                partition -> partition.topic().equals(topic));
    }

    /** The loop has let the table go (retired). */
    void removedFromLoop() {
        board.leftGroup();
        removed.countDown();
    }

    /** The table ended: stopped with its fan-in, retired, or failed. */
    void ended(PipelineState state) {
        if (board.state() != PipelineState.FAILED) {
            board.state(state);
        }
        board.leftGroup();
        terminated.countDown();
    }
}
