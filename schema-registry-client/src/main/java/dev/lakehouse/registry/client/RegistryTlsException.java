package dev.lakehouse.registry.client;

/** The TLS handshake with the registry failed: usually a missing or wrong trust store. Not transient. */
public final class RegistryTlsException extends SchemaRegistryException {

    RegistryTlsException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
