package dev.lakehouse.registry.client;

/** The registry could not parse the schema, or does not support its type or references (Confluent error 42201). Not transient. */
public final class InvalidSchemaException extends SchemaRegistryException {

    InvalidSchemaException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
