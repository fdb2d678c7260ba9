package dev.lakehouse.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;

/** Turns a registry's error answer into the typed exception that says what failed and what to do. */
final class RegistryErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryErrors() {
    }

    static SchemaRegistryException fromAnswer(URI registry, int status, String body, String what) {
        int code = status;
        String detail = body == null ? "" : body.trim();
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("error_code")) {
                code = node.path("error_code").asInt(status);
                detail = node.path("message").asText(detail);
            }
        } catch (IOException | RuntimeException notJson) {
            // Proxies answer HTML or plain text; the raw text is the best detail there is.
            detail = detail.length() > 300 ? detail.substring(0, 300) + "..." : detail;
        }
        String prefix = "schema registry " + registry + " refused the request for " + what + ": ";
        String suffix = " (HTTP " + status + ", error code " + code + ")";
        return switch (code) {
            case 40401 -> new SubjectNotFoundException(prefix + detail + suffix + ". Check the subject name and the "
                    + "subject-name strategy (topic, record or topic-record name), or register a schema first.",
                    status, code, null);
            case 40402 -> new VersionNotFoundException(prefix + detail + suffix
                    + ". List the subject's versions to see which exist.", status, code, null);
            case 40403 -> new SchemaNotFoundException(prefix + detail + suffix + ". The producer used a schema id "
                    + "this registry does not have: check that producer and consumer use the same registry.",
                    status, code, null);
            case 409 -> new IncompatibleSchemaException(prefix + detail + suffix + ". Change the schema to keep the "
                    + "subject's compatibility level, or change the level with PUT /config/{subject}.",
                    status, code, null);
            case 42201 -> new InvalidSchemaException(prefix + detail + suffix, status, code, null);
            case 42203 -> new InvalidCompatibilityLevelException(prefix + detail + suffix, status, code, null);
            default -> {
                if (status == 401 || status == 403) {
                    yield new RegistryAuthenticationException(prefix + detail + suffix + ". Check the registry "
                            + "user-info (user:password) and the user's permissions.", status, code, null);
                }
                if (status >= 500) {
                    yield new RegistryUnavailableException(prefix + detail + suffix + ". The registry or its "
                            + "backing store is failing; the request will be retried.", status, code, null);
                }
                yield new RegistryRequestException(prefix + detail + suffix, status, code, null);
            }
        };
    }

    static RegistryUnavailableException unreachable(URI registry, String what, IOException cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new RegistryUnavailableException("schema registry " + registry + " is unreachable (" + reason
                + ") while asking for " + what + ". Check that the registry runs and the URL is right.", 0, 0, cause);
    }
}
