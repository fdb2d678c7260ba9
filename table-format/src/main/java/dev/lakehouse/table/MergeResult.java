package dev.lakehouse.table;

/**
 * What a {@link KeyedMerge} did.
 *
 * @param outcome the commit's outcome (a replayed batch commits nothing, and its counts are zero)
 * @param inserted rows of keys the table did not hold
 * @param updated rows that replaced the table's row of their key
 * @param deleted rows of the table that a deletion removed
 * @param copied rows of rewritten files that the batch did not touch, written again (the write amplification)
 * @param skipped changes not applied: older versions than the table's or than a later change of the key in the
 *                batch, rows of keys the table holds when only inserting, repeated keys in the batch
 * @param filesRemoved files rewritten or emptied
 * @param filesAdded files added: the rewritten rows' and the batch's
 * @param bytesRemoved the size of the files removed
 * @param bytesAdded the size of the files added
 * @param attempts plans made: more than one when a concurrent commit (a compaction) removed a file the merge read
 */
public record MergeResult(CommitOutcome outcome, long inserted, long updated, long deleted, long copied, long skipped,
                          int filesRemoved, int filesAdded, long bytesRemoved, long bytesAdded, int attempts) {
}
