package dev.lakehouse.registry.client;

/**
 * Base of every failure reported by {@link SchemaRegistryClient}. Subclasses name the meaning; callers decide
 * on the type: {@link RegistryUnavailableException} is transient (retry later, never treat the record as bad),
 * every other subclass is final for that request.
 *
 * <p>Messages say what failed, for which subject, version or id, and what to do about it.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;
    private final int errorCode;

    SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The HTTP status answered, or 0 when no answer was received. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent's error code (e.g. 40401), the HTTP status when the body had none, or 0 without an answer. */
    public int errorCode() {
        return errorCode;
    }
}
