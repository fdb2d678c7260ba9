package dev.lakehouse.registry.client;

/** The subject has no such version (Confluent error 40402). Not transient. */
public final class VersionNotFoundException extends SchemaRegistryException {

    VersionNotFoundException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
