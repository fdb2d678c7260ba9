package dev.lakehouse.ingest.deadletter;

import dev.lakehouse.table.OffsetRange;
import java.util.List;

/**
 * The dead letters of one batch and the offset ranges the batch covers, handed to a
 * {@link DeadLetterDestination} before the batch's own commit.
 *
 * @param pipeline the pipeline name
 * @param instanceId the writing instance
 * @param batchId the batch id (increasing per instance)
 * @param ranges every partition range of the batch, including those without dead letters
 * @param letters the dead letters, in offset order per partition
 */
public record DeadLetterBatch(String pipeline, String instanceId, long batchId, List<OffsetRange> ranges,
                              List<DeadLetter> letters) {
    public DeadLetterBatch {
        ranges = List.copyOf(ranges);
        letters = List.copyOf(letters);
    }
}
