package dev.lakehouse.registry.client;

/** The registry refused the credentials (HTTP 401) or the user's permissions (HTTP 403). Not transient: fix the configured user-info. */
public final class RegistryAuthenticationException extends SchemaRegistryException {

    RegistryAuthenticationException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
