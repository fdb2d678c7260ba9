package dev.lakehouse.table;

/**
 * The commit threw and the table could not be reloaded to learn whether it landed (storage unreachable).
 * Retry the same {@link BatchCommit} once storage is back: the batch id check makes the retry safe.
 */
public final class CommitOutcomeUnknownException extends TableException {

    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
