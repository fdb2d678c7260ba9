package dev.lakehouse.ingest.source;

/**
 * The table's next offset for a partition is no longer in Kafka: retention deleted records before they were
 * ingested. Not transient; the pipeline stops rather than skip data silently.
 */
public class OffsetsExpiredException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OffsetsExpiredException(String message, Throwable cause) {
        super(message, cause);
    }
}
