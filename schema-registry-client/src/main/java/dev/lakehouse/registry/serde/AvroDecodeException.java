package dev.lakehouse.registry.serde;

/**
 * A payload that cannot be decoded: bad data, not a transient failure. Retrying cannot help; the record belongs in
 * a dead-letter destination with {@link #reason()} and the message.
 *
 * <p>Transient problems (registry unreachable) are never reported with this type but with
 * {@link dev.lakehouse.registry.client.RegistryUnavailableException}.
 */
public abstract class AvroDecodeException extends RuntimeException {

    private final RecordContext context;

    AvroDecodeException(RecordContext context, String message, Throwable cause) {
        super(message + " [record " + context + "]", cause);
        this.context = context;
    }

    /** Where the payload came from, as given by the caller. */
    public RecordContext context() {
        return context;
    }

    /** A stable, machine-readable reason code such as {@code WRONG_MAGIC_BYTE}. */
    public abstract String reason();
}
