package dev.lakehouse.ingest.status;

/** Life cycle of a pipeline. */
public enum PipelineState {
    /** Created, not started. */
    NEW,
    /** Consuming and committing batches. */
    RUNNING,
    /** Running but told to read nothing: the open batch is committed, the partitions stay assigned. */
    PAUSED,
    /** Waiting before a restart after a transient failure (broker, registry or storage unreachable). */
    RETRYING,
    /** Stop requested: closing the open batch and leaving the group. */
    STOPPING,
    /** Stopped on request. */
    STOPPED,
    /** Stopped by an error that retrying cannot fix; see {@link PipelineStatus#error()}. */
    FAILED
}
