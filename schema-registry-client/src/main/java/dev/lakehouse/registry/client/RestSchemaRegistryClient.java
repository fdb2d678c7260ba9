package dev.lakehouse.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uncached REST client. Each call is one logical request, retried on connection errors, timeouts and 5xx
 * answers only (never on 4xx: those are final), with exponential backoff and jitter, moving to the next
 * configured URL after a connection failure.
 */
final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** Waits between retries; replaced in tests so they do not wait for real. */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    /**
     * Built on a thread of its own, some 0.1 s of a cold process's start-up that the tables and the console can use
     * instead; the first request waits for it. Without a TLS context of ours, building an HttpClient would also
     * parse every certificate of the JVM's default trust store, even for http URLs: registries reached only over
     * http get trust that is loaded at a first handshake instead ({@link DeferredDefaultTrustManager}).
     */
    private final CompletableFuture<HttpClient> http;
    private final String authorization;
    private final AtomicInteger currentUrl = new AtomicInteger();
    private final Sleeper sleeper;

    RestSchemaRegistryClient(RegistryClientConfig config) {
        this(config, Thread::sleep);
    }

    RestSchemaRegistryClient(RegistryClientConfig config, Sleeper sleeper) {
        this.config = config;
        this.sleeper = sleeper;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (config.trustStore().isPresent()) {
            builder.sslContext(sslContext(config));
        } else if (config.urls().stream().noneMatch(url -> "https".equalsIgnoreCase(url.getScheme()))) {
            builder.sslContext(DeferredDefaultTrustManager.context());
        }
        this.http = CompletableFuture.supplyAsync(builder::build, task -> {
            Thread thread = new Thread(task, "registry-client-init");
            thread.setDaemon(true);
            thread.start();
        });
        this.authorization = config.userInfo()
                .map(info -> "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)))
                .orElse(null);
    }

    @Override
    public Schema schemaById(int id) {
        TypedSchema typed = typedSchemaById(id);
        if (!typed.type().equals(TypedSchema.AVRO)) {
            throw new InvalidSchemaException("schema id " + id + " is a " + typed.type() + " schema, not Avro; "
                    + "decode its records with the format of that type", 200, 0, null);
        }
        return parse(typed.text(), "schema id " + id);
    }

    @Override
    public TypedSchema typedSchemaById(int id) {
        return typed(send("GET", "/schemas/ids/" + id, null, "schema id " + id));
    }

    @Override
    public TypedSchema typedVersion(String subject, int version) {
        return typed(send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null,
                "subject '" + subject + "' version " + version));
    }

    private static TypedSchema typed(JsonNode answer) {
        List<TypedSchema.Reference> references = new ArrayList<>();
        answer.path("references").forEach(r -> references.add(new TypedSchema.Reference(r.path("name").asText(),
                r.path("subject").asText(), r.path("version").asInt())));
        return new TypedSchema(answer.path("schemaType").asText(TypedSchema.AVRO), answer.path("schema").asText(),
                references);
    }

    @Override
    public int register(String subject, TypedSchema schema) {
        ObjectNode body = JSON.createObjectNode();
        if (!schema.type().equals(TypedSchema.AVRO)) {
            body.put("schemaType", schema.type());
        }
        body.put("schema", schema.text());
        if (!schema.references().isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode references = body.putArray("references");
            schema.references().forEach(r -> references.addObject().put("name", r.name())
                    .put("subject", r.subject()).put("version", r.version()));
        }
        return send("POST", "/subjects/" + encode(subject) + "/versions", body.toString(),
                "subject '" + subject + "'").path("id").asInt();
    }

    @Override
    public int register(String subject, Schema schema) {
        return send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "subject '" + subject + "'").path("id").asInt();
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        return registered(send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "subject '" + subject + "'"), subject);
    }

    @Override
    public RegisteredSchema latestVersion(String subject) {
        return registered(send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "subject '" + subject + "'"), subject);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return registered(send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null,
                "subject '" + subject + "' version " + version), subject);
    }

    @Override
    public List<String> subjects() {
        List<String> result = new ArrayList<>();
        send("GET", "/subjects", null, "subjects").forEach(node -> result.add(node.asText()));
        return result;
    }

    @Override
    public List<Integer> versions(String subject) {
        List<Integer> result = new ArrayList<>();
        send("GET", "/subjects/" + encode(subject) + "/versions", null, "subject '" + subject + "'")
                .forEach(node -> result.add(node.asInt()));
        return result;
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        JsonNode answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions?verbose=true",
                schemaBody(schema), "subject '" + subject + "'");
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.asText()));
        return new CompatibilityResult(answer.path("is_compatible").asBoolean(), messages);
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return level(send("GET", "/config", null, "global config").path("compatibilityLevel").asText());
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        return level(send("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null,
                "subject '" + subject + "' config").path("compatibilityLevel").asText());
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        send("PUT", "/config/" + encode(subject), levelBody(level), "subject '" + subject + "' config");
    }

    @Override
    public void setGlobalCompatibility(CompatibilityLevel level) {
        send("PUT", "/config", levelBody(level), "global config");
    }

    @Override
    public void close() {
        // java.net.http.HttpClient releases its resources when unreachable; nothing to do on Java 17.
    }

    /** The client, once built. @throws RuntimeException what building it threw */
    private HttpClient http() {
        try {
            return http.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Sends one request with retries.
     *
     * @param what the object of the request, for error messages ("subject 'orders-value'")
     */
    private JsonNode send(String method, String path, String body, String what) {
        int attempts = config.maxRetries() + 1;
        SchemaRegistryException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            URI base = config.urls().get(Math.floorMod(currentUrl.get(), config.urls().size()));
            try {
                HttpResponse<String> response = http().send(request(base, method, path, body),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (response.statusCode() / 100 == 2) {
                    return JSON.readTree(response.body());
                }
                SchemaRegistryException error = RegistryErrors.fromAnswer(base, response.statusCode(),
                        response.body(), what);
                if (!(error instanceof RegistryUnavailableException)) {
                    throw error;
                }
                last = error;
            } catch (SSLException e) {
                throw new RegistryTlsException("TLS handshake with the schema registry at " + base + " failed: "
                        + e.getMessage() + ". Configure a trust store holding the registry's CA certificate.",
                        0, 0, e);
            } catch (IOException e) {
                // Connection refused, reset or timed out: try the next configured URL, if any.
                last = RegistryErrors.unreachable(base, what, e);
                currentUrl.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while calling the schema registry for "
                        + what, 0, 0, e);
            }
            if (attempt < attempts) {
                long backoff = backoffMillis(attempt);
                LOG.warn("schema registry request {} {} failed (attempt {} of {}), retrying in {} ms: {}",
                        method, path, attempt, attempts, backoff, last.getMessage());
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw last;
                }
            }
        }
        throw last;
    }

    /** Exponential backoff with "equal jitter": half fixed, half random, so retries of many clients spread. */
    private long backoffMillis(int attempt) {
        long exponential = config.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(exponential, config.maxBackoff().toMillis());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    private HttpRequest request(URI base, String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.readTimeout())
                .header("Accept", MEDIA_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            builder.header("Content-Type", MEDIA_TYPE);
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }

    private static String schemaBody(Schema schema) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", schema.toString());
        return node.toString();
    }

    private static String levelBody(CompatibilityLevel level) {
        ObjectNode node = JSON.createObjectNode();
        node.put("compatibility", level.name());
        return node.toString();
    }

    private RegisteredSchema registered(JsonNode node, String subject) {
        String what = "subject '" + subject + "' version " + node.path("version").asInt();
        return new RegisteredSchema(node.path("subject").asText(subject), node.path("version").asInt(),
                node.path("id").asInt(), parse(node.path("schema").asText(), what));
    }

    private Schema parse(String text, String what) {
        try {
            return new Schema.Parser().setValidateDefaults(false).parse(text);
        } catch (RuntimeException e) {
            throw new InvalidSchemaException("the schema registry returned an unparsable schema for " + what + ": "
                    + e.getMessage(), 200, 0, e);
        }
    }

    private static CompatibilityLevel level(String text) {
        try {
            return CompatibilityLevel.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new RegistryRequestException("the schema registry answered an unknown compatibility level '"
                    + text + "'", 200, 0, e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static SSLContext sslContext(RegistryClientConfig config) {
        try (InputStream in = Files.newInputStream(config.trustStore().orElseThrow())) {
            KeyStore store = KeyStore.getInstance(config.trustStoreType());
            store.load(in, config.trustStorePassword());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new RegistryTlsException("cannot load the schema registry trust store "
                    + config.trustStore().orElseThrow() + " (type " + config.trustStoreType() + "): "
                    + e.getMessage(), 0, 0, e);
        }
    }
}
