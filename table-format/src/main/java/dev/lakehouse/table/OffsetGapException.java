package dev.lakehouse.table;

/**
 * A batch starts above the next offset the table holds for a partition: committing it would silently skip
 * records. Never committed. Not retryable as is: the engine must re-read from the table's offsets (or the user
 * must opt into skipping, which the batch then declares).
 */
public final class OffsetGapException extends TableException {

    public OffsetGapException(String message) {
        super(message, null);
    }
}
