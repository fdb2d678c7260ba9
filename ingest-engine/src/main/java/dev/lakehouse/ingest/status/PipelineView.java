package dev.lakehouse.ingest.status;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.table.LakeTable;
import java.util.List;
import java.util.function.Consumer;

/**
 * What monitors (the console, metrics, health checks) see of a running pipeline, and the one switch they may
 * use. Implemented by the engine's {@code IngestPipeline}; every method is thread-safe and quick (no I/O).
 */
public interface PipelineView {

    String name();

    /** The pipeline's state, error, counters and per-partition lag, as of now. */
    PipelineStatus status();

    /** The latest batch progress records, oldest first. */
    List<BatchProgress> recentProgress();

    /** The table the pipeline writes (monitors read it; they must not write it). */
    LakeTable table();

    /** Where its dead letters go, for display ({@link DeadLetterDestination#describe()}). */
    String deadLetterDestination();

    /** Whether a pause was asked for and not resumed since. */
    boolean isPaused();

    /**
     * Whether the current run's consumer has joined its group and positioned every partition it was given (also
     * when it was given none): what readiness waits for. False before, and while a run restarts.
     */
    default boolean inGroup() {
        return true;
    }

    /**
     * How long the records committed since the pipeline started took to become visible, by bucket
     * ({@link VisibilityHistogram}); empty for views that do not measure it.
     */
    default VisibilityHistogram.Snapshot visibility() {
        return new VisibilityHistogram().snapshot();
    }

    /** See {@code IngestPipeline.pause()}: the open batch is committed, then nothing is read. Idempotent. */
    void pause();

    /** Reads again from where the pipeline paused. Idempotent. */
    void resume();

    /** Calls {@code listener} after every batch, on the writer thread; it must be quick and must not throw. */
    void addProgressListener(Consumer<BatchProgress> listener);

    /** Tells {@code listener} about each Kafka consumer the pipeline creates (one per run). */
    void addConsumerListener(ConsumerListener listener);
}
