package dev.lakehouse.ingest;

import dev.lakehouse.ingest.status.PipelineView;
import java.time.Duration;

/**
 * A table's pipeline as the appliance runs it: either an {@link IngestPipeline} with a consumer of its own, or a
 * {@link FanInTable}, one of many tables a {@link TopicFanIn} reads for with one consumer. Both give the same
 * exactly-once guarantee per table and report through {@link PipelineView}.
 */
public interface RunningPipeline extends PipelineView, AutoCloseable {

    /** Starts ingesting (an {@link IngestPipeline} starts its thread; a fan-in's table joins its loop). */
    void start();

    /** Asks the pipeline to commit its open batch and stop; returns at once. */
    void stop();

    /** Waits until the pipeline stopped or failed. @return false on timeout */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Ends the pipeline for good (its topic was deleted): what it holds is committed and its partitions are given
     * up without the group waiting for them.
     */
    void retire();

    /** Stops, waits for the stop, and closes the dead-letter destination. */
    @Override
    void close();
}
