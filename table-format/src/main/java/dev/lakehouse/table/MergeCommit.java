package dev.lakehouse.table;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A batch of a keyed table as one atomic copy-on-write commit: the files that held rows the batch replaced or
 * deleted leave the table ({@code remove} with {@code dataChange = true}), their other rows come back in
 * {@code batch.files()} together with the batch's new rows, and the batch id and offsets are committed with them,
 * as for any batch. Built by {@link KeyedMerge}, which finds the files and writes the new ones.
 *
 * <p>Checked inside the committing transaction like a {@link BatchCommit} (a replayed batch id or replayed
 * offsets change nothing, a gap is refused) and like a {@link FileRewrite}: a file to remove that another commit
 * removed meanwhile (a compaction) refuses the whole commit with {@link RewriteConflictException}, nothing
 * committed, so a row it rewrote can never come back; the merge is then planned again on the new snapshot.
 *
 * @param batch the batch: its files are every file added, its offsets and batch id are committed with them
 * @param removed live files whose rows the merge rewrote or deleted
 * @param metrics Delta's MERGE metrics ({@code numTargetRowsInserted}, {@code numTargetRowsUpdated},
 *                {@code numTargetRowsDeleted}, {@code numTargetRowsCopied}, {@code numTargetFilesAdded},
 *                {@code numTargetFilesRemoved}, ...), shown by {@code DESCRIBE HISTORY}
 * @param keyColumns the columns that identify a row, for the history's merge predicate
 * @param filesRead the paths of every file live when the merge was planned
 * @param mayHoldAKey whether a file, by its statistics (JSON), can hold one of the merge's keys: a file another
 *                    writer added after the plan that can (a concurrent merge inserting the same new key) refuses
 *                    the commit like a removed one, so two writers never both insert a key
 */
public record MergeCommit(BatchCommit batch, List<DataFile> removed, Map<String, String> metrics,
                          List<String> keyColumns, java.util.Set<String> filesRead,
                          java.util.function.Predicate<String> mayHoldAKey) implements TableChange<CommitOutcome> {

    public MergeCommit {
        filesRead = java.util.Set.copyOf(filesRead);
        Objects.requireNonNull(mayHoldAKey, "mayHoldAKey");
        Objects.requireNonNull(batch, "batch");
        removed = List.copyOf(removed);
        metrics = Map.copyOf(metrics);
        keyColumns = List.copyOf(keyColumns);
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("a merge needs key columns");
        }
        if (batch.offsetCheck() == BatchCommit.OffsetCheck.RESET) {
            throw new IllegalArgumentException("a merge cannot reset offsets");
        }
    }
}
