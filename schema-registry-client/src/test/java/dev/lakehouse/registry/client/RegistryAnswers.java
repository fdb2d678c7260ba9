package dev.lakehouse.registry.client;

import java.net.URI;

/** Exceptions exactly as the client builds them from registry answers, for test doubles in other packages. */
public final class RegistryAnswers {

    private RegistryAnswers() {
    }

    public static SchemaRegistryException schemaNotFound(int id) {
        return RegistryErrors.fromAnswer(URI.create("http://registry.test"), 404,
                "{\"error_code\":40403,\"message\":\"Schema " + id + " not found.\"}", "schema id " + id);
    }
}
