package dev.lakehouse.table;

/**
 * The commit did not happen: conflicts or errors persisted through every retry, and a reload of the table shows
 * the batch absent. The outcome is known (nothing committed); the batch may be retried as a whole later.
 */
public final class CommitFailedException extends TableException {

    public CommitFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
