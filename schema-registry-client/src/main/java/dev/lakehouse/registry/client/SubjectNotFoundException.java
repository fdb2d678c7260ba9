package dev.lakehouse.registry.client;

/** The subject does not exist (Confluent error 40401). Not transient. */
public final class SubjectNotFoundException extends SchemaRegistryException {

    SubjectNotFoundException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
