package dev.lakehouse.ingest;

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
 */
public record PipelineStatus(String pipeline, PipelineState state, String error, long batchesCommitted,
                             long recordsCommitted, Instant lastCommit, List<PartitionLag> partitions) {

    public PipelineStatus {
        partitions = List.copyOf(partitions);
    }

    /** Sum of the known per-partition lags. */
    public long totalLag() {
        return partitions.stream().mapToLong(PartitionLag::lag).filter(l -> l > 0).sum();
    }
}
