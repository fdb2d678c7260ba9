package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;

/**
 * A record's value cannot become a table row: the payload is malformed, its schema unknown, or it does not fit
 * the table. Not transient: retrying the same bytes fails the same way.
 *
 * <p>{@link #reason()} says which kind of bad input it is; the message names the topic, partition and offset and
 * what to do.
 */
public class RecordDecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public RecordDecodeException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the record is not a row. */
    public DeadLetterReason reason() {
        return reason;
    }
}
