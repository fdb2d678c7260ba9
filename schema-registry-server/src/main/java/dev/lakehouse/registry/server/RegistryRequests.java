package dev.lakehouse.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a registry request says: its path's segments and query, and its JSON body (a schema with its language and
 * references, a compatibility level). A body that is not a JSON object, or a schema without its fields, is a
 * {@link RegistryError} naming what is missing.
 */
final class RegistryRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryRequests() {
    }

    /** A schema in a request body: its language, text and references. */
    record SchemaRequest(SchemaType type, String text, List<SchemaStore.Reference> references) {
    }

    /** Reads {@code {"schema": "...", "schemaType": "AVRO", "references": [{"name", "subject", "version"}]}}. */
    static SchemaRequest schemaFrom(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        SchemaType type = SchemaType.named(body.path("schemaType").asText(null));
        List<SchemaStore.Reference> references = new java.util.ArrayList<>();
        for (JsonNode reference : body.path("references")) {
            if (!reference.path("name").isTextual() || !reference.path("subject").isTextual()
                    || !reference.path("version").canConvertToInt()) {
                throw RegistryError.invalidSchema("a schema reference needs \"name\", \"subject\" and \"version\"");
            }
            references.add(new SchemaStore.Reference(reference.get("name").asText(), reference.get("subject").asText(),
                    reference.get("version").asInt()));
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryError.invalidSchema("the request body needs a \"schema\" field holding the schema as a "
                    + "JSON string");
        }
        return new SchemaRequest(type, schema.asText(), references);
    }

    static CompatibilityPolicy levelFrom(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        JsonNode level = body.has("compatibility") ? body.get("compatibility") : body.get("compatibilityLevel");
        return CompatibilityPolicy.parse(level == null ? null : level.asText());
    }

    static JsonNode body(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw RegistryError.badRequest("the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw RegistryError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static int parseId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound(text);
        }
    }

    static List<String> segments(String rawPath) {
        return java.util.Arrays.stream(rawPath.split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
                .toList();
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> result = new HashMap<>();
        if (rawQuery == null) {
            return result;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            result.put(key, value);
        }
        return result;
    }
}
