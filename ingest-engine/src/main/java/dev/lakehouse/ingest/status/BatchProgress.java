package dev.lakehouse.ingest.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import java.util.List;
import java.util.Map;

/**
 * What one batch did, in the spirit of Spark's streaming query progress. Logged as one JSON line per batch and
 * kept for the console.
 *
 * @param pipeline the pipeline name
 * @param instanceId the run's instance id
 * @param batchId the batch id (per instance)
 * @param timestamp when the commit finished, ISO-8601
 * @param outcome what became of the batch; {@link BatchOutcome#committed()} says whether its records are done with
 * @param tableVersion the table version holding the batch, -1 when skipped
 * @param numInputRows records in the batch
 * @param inputBytes serialized key and value bytes of those records
 * @param inputRowsPerSecond rows over the time since the previous batch closed: how fast data arrived
 * @param processedRowsPerSecond rows over the batch's duration from its first record to its commit
 * @param durationMs time per phase
 * @param sources one entry per partition in the batch
 * @param filesWritten data files added
 * @param bytesWritten bytes of those files
 * @param deadLetters records of the batch that went to the dead-letter destination instead of the table
 * @param deadLettersByReason those records counted by {@link DeadLetterReason} name
 * @param merge what a keyed table's merge did; null for an append table, or when nothing was merged
 */
public record BatchProgress(String pipeline, String instanceId, long batchId, String timestamp, BatchOutcome outcome,
                            long tableVersion, long numInputRows, long inputBytes, double inputRowsPerSecond,
                            double processedRowsPerSecond, PhaseDurations durationMs, List<SourceProgress> sources,
                            int filesWritten, long bytesWritten, int deadLetters,
                            Map<String, Integer> deadLettersByReason, MergeCounts merge) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public BatchProgress {
        sources = List.copyOf(sources);
        deadLettersByReason = Map.copyOf(deadLettersByReason);
    }

    /**
     * Milliseconds spent per phase. Polling and decoding overlap with writing (they run on different threads),
     * so the phases can add up to more than the total.
     *
     * @param pollDecode polling Kafka and decoding the batch's records (poll thread)
     * @param write encoding Parquet (writer thread)
     * @param commit closing the files and the Delta commit
     * @param total from the batch's first record to the end of its commit
     */
    public record PhaseDurations(long pollDecode, long write, long commit, long total) {
    }

    /**
     * One partition's part of a batch.
     *
     * @param startOffset the table's next offset before the batch
     * @param endOffset the next offset after the batch (exclusive)
     * @param latestOffset the partition's log-end offset as last seen by the consumer, -1 if not known yet
     */
    public record SourceProgress(String topic, int partition, long startOffset, long endOffset, long latestOffset) {
    }

    /**
     * A keyed table's batch merged into the table.
     *
     * @param inserted rows of new keys
     * @param updated rows that replaced their key's row
     * @param deleted rows removed by a deletion
     * @param copied untouched rows of rewritten files written again: the write amplification, with
     * @param skipped changes not applied (older versions, keys already held when only inserting, repeats)
     * @param filesRewritten files the merge removed (their other rows are in the files written)
     */
    public record MergeCounts(long inserted, long updated, long deleted, long copied, long skipped,
                              int filesRewritten) {
    }

    /** The progress as one line of JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("progress cannot be written as JSON", e);
        }
    }
}
