package dev.lakehouse.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes Confluent's REST paths to the {@link SchemaStore} and renders answers and errors as Confluent does
 * (media type {@value #MEDIA_TYPE}, errors as {@code {"error_code": N, "message": "..."}}).
 */
final class RegistryHttpHandler implements HttpHandler {

    static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;
    private final Map<String, byte[]> passwordDigestByUser;

    RegistryHttpHandler(SchemaStore store, Map<String, String> users) {
        this.store = store;
        this.passwordDigestByUser = new HashMap<>();
        users.forEach((user, password) -> passwordDigestByUser.put(user, sha256(password)));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Object body;
            int status = 200;
            try {
                authenticate(exchange);
                body = route(exchange);
            } catch (RegistryError e) {
                status = e.httpStatus;
                ObjectNode error = JSON.createObjectNode();
                error.put("error_code", e.errorCode);
                error.put("message", e.getMessage());
                body = error;
                if (e.httpStatus == 401) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
                }
            } catch (RuntimeException e) {
                LOG.error("registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                ObjectNode error = JSON.createObjectNode();
                error.put("error_code", 50001);
                error.put("message", "Error in the backend data store: " + e);
                body = error;
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", MEDIA_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void authenticate(HttpExchange exchange) {
        if (passwordDigestByUser.isEmpty()) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw RegistryError.unauthorized();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw RegistryError.unauthorized();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw RegistryError.unauthorized();
        }
        byte[] expected = passwordDigestByUser.get(decoded.substring(0, colon));
        // Digests have a fixed length, so the comparison time does not depend on the password.
        if (expected == null || !MessageDigest.isEqual(expected, sha256(decoded.substring(colon + 1)))) {
            throw RegistryError.unauthorized();
        }
    }

    private Object route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = RegistryRequests.segments(exchange.getRequestURI().getRawPath());
        Map<String, String> query = RegistryRequests.query(exchange.getRequestURI().getRawQuery());
        boolean deleted = Boolean.parseBoolean(query.get("deleted"));
        boolean permanent = Boolean.parseBoolean(query.get("permanent"));
        // Confluent's JavaScript and Go deserializers ask for Protobuf schemas as serialized descriptors.
        boolean serialized = "serialized".equals(query.get("format"));
        int n = path.size();
        String first = n > 0 ? path.get(0) : "";

        if (n == 0) {
            return JSON.createObjectNode();
        }
        switch (first) {
            case "schemas" -> {
                if (n == 2 && path.get(1).equals("types")) {
                    requireMethod(method, "GET");
                    return java.util.Arrays.stream(SchemaType.values()).map(Enum::name).toList();
                }
                if (n >= 3 && path.get(1).equals("ids")) {
                    requireMethod(method, "GET");
                    int id = RegistryRequests.parseId(path.get(2));
                    if (n == 3) {
                        SchemaStore.StoredSchema schema = store.schemaById(id);
                        ObjectNode node = JSON.createObjectNode();
                        putSchema(node, schema.type(), served(schema.type(), schema.text(), schema.references(), id,
                                serialized), schema.references());
                        return node;
                    }
                    if (n == 4 && path.get(3).equals("schema")) {
                        SchemaStore.StoredSchema schema = store.schemaById(id);
                        return rawSchema(schema.type(), schema.text());
                    }
                    if (n == 4 && path.get(3).equals("subjects")) {
                        return store.versionsUsingId(id).stream().map(SchemaStore.SubjectVersion::subject)
                                .distinct().toList();
                    }
                    if (n == 4 && path.get(3).equals("versions")) {
                        ArrayNode array = JSON.createArrayNode();
                        store.versionsUsingId(id).forEach(v ->
                                array.addObject().put("subject", v.subject()).put("version", v.version()));
                        return array;
                    }
                }
            }
            case "subjects" -> {
                if (n == 1) {
                    requireMethod(method, "GET");
                    return store.subjects(deleted);
                }
                String subject = path.get(1);
                if (n == 2) {
                    if (method.equals("POST")) {
                        RegistryRequests.SchemaRequest request = RegistryRequests.schemaFrom(exchange);
                        return subjectVersion(store.lookup(subject, request.type(), request.text(),
                                request.references(), deleted));
                    }
                    requireMethod(method, "DELETE");
                    return store.deleteSubject(subject, permanent);
                }
                if (path.get(2).equals("versions")) {
                    if (n == 3) {
                        if (method.equals("POST")) {
                            ObjectNode node = JSON.createObjectNode();
                            RegistryRequests.SchemaRequest request = RegistryRequests.schemaFrom(exchange);
                            node.put("id", store.register(subject, request.type(), request.text(),
                                    request.references()));
                            return node;
                        }
                        requireMethod(method, "GET");
                        return store.versions(subject, deleted);
                    }
                    String version = path.get(3);
                    if (n == 4) {
                        if (method.equals("DELETE")) {
                            return store.deleteVersion(subject, version, permanent);
                        }
                        requireMethod(method, "GET");
                        SchemaStore.SubjectVersion v = store.version(subject, version, deleted);
                        ObjectNode node = subjectVersion(v);
                        node.put("schema", served(v.type(), v.schema(), v.references(), v.id(), serialized));
                        return node;
                    }
                    if (n == 5 && path.get(4).equals("schema")) {
                        requireMethod(method, "GET");
                        SchemaStore.SubjectVersion v = store.version(subject, version, deleted);
                        return rawSchema(v.type(), v.schema());
                    }
                }
            }
            case "compatibility" -> {
                if (n >= 4 && path.get(1).equals("subjects") && path.get(3).equals("versions") && n <= 5) {
                    requireMethod(method, "POST");
                    String version = n == 5 ? path.get(4) : null;
                    RegistryRequests.SchemaRequest request = RegistryRequests.schemaFrom(exchange);
                    List<String> problems = store.testCompatibility(path.get(2), version, request.type(),
                            request.text(), request.references());
                    ObjectNode node = JSON.createObjectNode();
                    node.put("is_compatible", problems.isEmpty());
                    if (Boolean.parseBoolean(query.get("verbose"))) {
                        ArrayNode messages = node.putArray("messages");
                        problems.forEach(messages::add);
                    }
                    return node;
                }
            }
            case "config" -> {
                if (n == 1) {
                    if (method.equals("PUT")) {
                        CompatibilityPolicy level = RegistryRequests.levelFrom(exchange);
                        store.setGlobalLevel(level);
                        return levelAnswer("compatibility", level);
                    }
                    requireMethod(method, "GET");
                    return levelAnswer("compatibilityLevel", store.globalLevel());
                }
                if (n == 2) {
                    String subject = path.get(1);
                    switch (method) {
                        case "PUT" -> {
                            CompatibilityPolicy level = RegistryRequests.levelFrom(exchange);
                            store.setSubjectLevel(subject, level);
                            return levelAnswer("compatibility", level);
                        }
                        case "DELETE" -> {
                            return levelAnswer("compatibilityLevel", store.deleteSubjectLevel(subject));
                        }
                        case "GET" -> {
                            Optional<CompatibilityPolicy> level = store.subjectLevel(subject);
                            if (level.isPresent()) {
                                return levelAnswer("compatibilityLevel", level.get());
                            }
                            if (Boolean.parseBoolean(query.get("defaultToGlobal"))) {
                                return levelAnswer("compatibilityLevel", store.globalLevel());
                            }
                            throw RegistryError.subjectCompatibilityNotConfigured(subject);
                        }
                        default -> throw RegistryError.methodNotAllowed(method);
                    }
                }
            }
            case "mode" -> {
                requireMethod(method, "GET");
                ObjectNode node = JSON.createObjectNode();
                node.put("mode", "READWRITE");
                return node;
            }
            default -> {
                // Falls through to the 404 below.
            }
        }
        throw RegistryError.notFound(exchange.getRequestURI().getPath());
    }

    private static ObjectNode subjectVersion(SchemaStore.SubjectVersion v) {
        ObjectNode node = JSON.createObjectNode();
        node.put("subject", v.subject());
        node.put("version", v.version());
        node.put("id", v.id());
        putSchema(node, v.type(), v.schema(), v.references());
        return node;
    }

    /** {@code schemaType} and empty {@code references} are left out for Avro, as Confluent's server does. */
    private static void putSchema(ObjectNode node, SchemaType type, String text,
                                  List<SchemaStore.Reference> references) {
        if (type != SchemaType.AVRO) {
            node.put("schemaType", type.name());
        }
        node.put("schema", text);
        if (!references.isEmpty()) {
            ArrayNode array = node.putArray("references");
            references.forEach(r -> array.addObject().put("name", r.name()).put("subject", r.subject())
                    .put("version", r.version()));
        }
    }

    /**
     * A schema's text as asked for: as stored, or for {@code format=serialized} a Protobuf schema as base64 of its
     * {@code FileDescriptorProto} (named {@code schema<id>.proto}; its imports resolved through its references).
     */
    private String served(SchemaType type, String text, List<SchemaStore.Reference> references, int id,
                          boolean serialized) {
        if (!serialized || type != SchemaType.PROTOBUF) {
            return text;
        }
        Map<String, String> imported = new java.util.HashMap<>();
        collectReferences(references, imported);
        return ProtobufDescriptors.serialized("schema" + id + ".proto", text, imported::get);
    }

    /** The texts of referenced schemas by the name they are imported as, theirs included. */
    private void collectReferences(List<SchemaStore.Reference> references, Map<String, String> into) {
        for (SchemaStore.Reference reference : references) {
            if (into.containsKey(reference.name())) {
                continue;
            }
            SchemaStore.SubjectVersion v = store.version(reference.subject(), Integer.toString(reference.version()),
                    true);
            into.put(reference.name(), v.schema());
            collectReferences(v.references(), into);
        }
    }

    /** The schema alone: Avro and JSON Schema documents as JSON, Protobuf text as a JSON string. */
    private static JsonNode rawSchema(SchemaType type, String text) throws IOException {
        return type == SchemaType.PROTOBUF ? JSON.getNodeFactory().textNode(text) : JSON.readTree(text);
    }

    private static ObjectNode levelAnswer(String field, CompatibilityPolicy level) {
        ObjectNode node = JSON.createObjectNode();
        node.put(field, level.name());
        return node;
    }

    private static void requireMethod(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw RegistryError.methodNotAllowed(actual);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
