package dev.lakehouse.registry.client;

/** No schema with that id, or the schema is not registered under the subject (Confluent error 40403). Not transient. */
public final class SchemaNotFoundException extends SchemaRegistryException {

    SchemaNotFoundException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
