package dev.lakehouse.ingest;

/**
 * A record's value cannot become a table row: the payload is malformed, its schema unknown, or it does not fit
 * the table. Not transient: retrying the same bytes fails the same way.
 *
 * <p>{@link #reason()} is a stable code (for example {@code WRONG_MAGIC_BYTE}, {@code UNKNOWN_SCHEMA_ID},
 * {@code CORRUPT_AVRO}, {@code TRUNCATED_PAYLOAD}, {@code INCOMPATIBLE_SCHEMA}, {@code INVALID_JSON},
 * {@code NULL_VALUE}); the message names the topic, partition and offset and what to do.
 */
public class RecordDecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public RecordDecodeException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The stable reason code. */
    public String reason() {
        return reason;
    }
}
