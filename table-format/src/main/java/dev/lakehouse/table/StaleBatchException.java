package dev.lakehouse.table;

/**
 * A batch id lower than the one already committed for the same batch app id: a zombie or misconfigured instance.
 * Never committed. Not retryable.
 */
public final class StaleBatchException extends TableException {

    public StaleBatchException(String message) {
        super(message, null);
    }
}
