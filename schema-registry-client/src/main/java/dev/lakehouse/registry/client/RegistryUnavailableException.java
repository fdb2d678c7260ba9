package dev.lakehouse.registry.client;

/**
 * The registry could not be reached, timed out, or answered 5xx (e.g. 50001, 50002, 50003) on every attempt.
 * <strong>Transient</strong>: the request may succeed later. Callers retry with backoff; a record whose schema
 * could not be fetched for this reason is never treated as bad data.
 */
public final class RegistryUnavailableException extends SchemaRegistryException {

    RegistryUnavailableException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
