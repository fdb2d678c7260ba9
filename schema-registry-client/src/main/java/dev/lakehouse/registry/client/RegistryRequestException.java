package dev.lakehouse.registry.client;

/** Any other request the registry refused with a 4xx answer (for example 42202, an invalid version). Not transient. */
public final class RegistryRequestException extends SchemaRegistryException {

    RegistryRequestException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
