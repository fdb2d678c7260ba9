package dev.lakehouse.table.delta;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetGapException;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.OffsetsMovedException;
import dev.lakehouse.table.StaleBatchException;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The commit protocol's checks of a batch against what a table holds (see {@link LakeTable}), as a pure function
 * of the table's transaction ids, so every {@link LakeTable} implementation applies the same rules.
 */
public final class BatchCommitRules {

    private BatchCommitRules() {
    }

    /**
     * Checks a batch against the table's transaction ids.
     *
     * @param txnVersion the table's version of a transaction id, -1 when it has none
     * @return the skip outcome ({@code DUPLICATE_BATCH}, {@code REPLAYED_OFFSETS}), or empty when the batch may be
     *         committed
     * @throws StaleBatchException if the batch id is lower than the committed one
     * @throws OffsetGapException if a range starts above the table's next offset under
     *         {@link BatchCommit.OffsetCheck#CONTIGUOUS}
     * @throws OffsetsMovedException if a reset's partition no longer has the next offset the reset replaces
     */
    public static Optional<CommitOutcome> check(BatchCommit batch, ToLongFunction<String> txnVersion, String location) {
        long committedBatch = txnVersion.applyAsLong(batch.batchAppId());
        if (committedBatch == batch.batchId()) {
            return Optional.of(new CommitOutcome(CommitOutcome.Status.DUPLICATE_BATCH, -1, "batch " + batch.batchId()
                    + " of " + batch.batchAppId() + " is already committed"));
        }
        if (committedBatch > batch.batchId()) {
            throw new StaleBatchException("batch " + batch.batchId() + " of " + batch.batchAppId() + " is older than "
                    + "the committed batch " + committedBatch + " in " + location + ": another process commits "
                    + "under the same instance id; give every running instance its own instance-id");
        }
        for (OffsetRange range : batch.offsets()) {
            long next = txnVersion.applyAsLong(range.appId(batch.pipeline()));
            if (batch.offsetCheck() == BatchCommit.OffsetCheck.RESET) {
                long replaced = batch.replacedNextOffsets().get(range.appId(batch.pipeline()));
                if (next != replaced) {
                    throw new OffsetsMovedException("reset of " + range.topic() + "-" + range.partition() + " to "
                            + "offset " + range.nextOffset() + " in " + location + " refused: it replaces next offset "
                            + replaced + " but the table's is now " + next + " (another commit moved it since the "
                            + "reset was decided). Nothing committed; read the table's offsets again.");
                }
                continue;
            }
            if (next < 0) {
                continue;
            }
            if (range.startOffset() < next) {
                return Optional.of(new CommitOutcome(CommitOutcome.Status.REPLAYED_OFFSETS, -1, range.topic() + "-"
                        + range.partition() + " starts at offset " + range.startOffset() + " but the table already "
                        + "holds everything before " + next + "; seek to the table's offsets and read again"));
            }
            if (range.startOffset() > next && batch.offsetCheck() == BatchCommit.OffsetCheck.CONTIGUOUS) {
                throw new OffsetGapException("batch " + batch.batchId() + " of " + batch.batchAppId() + " starts "
                        + range.topic() + "-" + range.partition() + " at offset " + range.startOffset()
                        + " but the table's next offset is " + next + ": offsets " + next + " to "
                        + (range.startOffset() - 1) + " would be lost. Not committed.");
            }
        }
        return Optional.empty();
    }
}
