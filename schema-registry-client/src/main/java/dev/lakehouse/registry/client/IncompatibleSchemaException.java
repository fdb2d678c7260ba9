package dev.lakehouse.registry.client;

/** The schema breaks the subject's compatibility level (Confluent error 409). Not transient. */
public final class IncompatibleSchemaException extends SchemaRegistryException {

    IncompatibleSchemaException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
