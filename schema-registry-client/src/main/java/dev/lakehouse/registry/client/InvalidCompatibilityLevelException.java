package dev.lakehouse.registry.client;

/** The compatibility level is not one the registry knows (Confluent error 42203). Not transient. */
public final class InvalidCompatibilityLevelException extends SchemaRegistryException {

    InvalidCompatibilityLevelException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
