package dev.lakehouse.ingest;

/**
 * A record cannot be ingested and may not become a dead letter: the pipeline has no dead-letter destination, or
 * its writer schema is incompatible under the {@code fail} policy. Stops the pipeline (not transient); the message
 * names topic, partition, offset, what was wrong and what to do.
 */
public class RecordRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RecordRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
