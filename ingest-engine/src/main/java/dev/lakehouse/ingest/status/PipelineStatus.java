package dev.lakehouse.ingest.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A point-in-time view of a pipeline for operators.
 *
 * @param pipeline the pipeline name
 * @param state the life-cycle state
 * @param error the last failure's message (for {@code FAILED} and {@code RETRYING}), else null
 * @param batchesCommitted batches committed by this run
 * @param recordsCommitted records committed by this run
 * @param lastCommit when this run last committed, null if never
 * @param partitions lag per assigned partition
 * @param newestCommittedRecord the largest time among the records this run committed (rows and dead letters): their
 *     Kafka timestamp, or their event-time column ({@code PipelineSettings.freshnessEventTime()}); null before its
 *     first commit or when the records carry no times
 * @param freshnessObjective how the table meets its freshness objective ({@code table.freshness-objective}) over
 *     the objective's window, null when it has none
 */
public record PipelineStatus(String pipeline, PipelineState state, String error, long batchesCommitted,
                             long recordsCommitted, Instant lastCommit, List<PartitionLag> partitions,
                             Instant newestCommittedRecord, FreshnessCompliance freshnessObjective) {

    public PipelineStatus {
        partitions = List.copyOf(partitions);
    }

    /** A status before anything of known age was committed. */
    public PipelineStatus(String pipeline, PipelineState state, String error, long batchesCommitted,
                          long recordsCommitted, Instant lastCommit, List<PartitionLag> partitions) {
        this(pipeline, state, error, batchesCommitted, recordsCommitted, lastCommit, partitions, null, null);
    }

    /** A status without a freshness objective. */
    public PipelineStatus(String pipeline, PipelineState state, String error, long batchesCommitted,
                          long recordsCommitted, Instant lastCommit, List<PartitionLag> partitions,
                          Instant newestCommittedRecord) {
        this(pipeline, state, error, batchesCommitted, recordsCommitted, lastCommit, partitions,
                newestCommittedRecord, null);
    }

    /**
     * Freshness: how old the newest committed record is at {@code now} (now minus its Kafka timestamp), null when
     * unknown. It grows while nothing new is committed, whether the topic is idle or the pipeline is behind.
     */
    public Duration freshness(Instant now) {
        return newestCommittedRecord == null ? null : Duration.between(newestCommittedRecord, now);
    }

    /** Sum of the known per-partition lags. */
    public long totalLag() {
        return PartitionLag.total(partitions);
    }
}
