package dev.lakehouse.app.console;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.app.Appliance;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.console.PasswordHash;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A running appliance with its console, for the console's tests: one Avro pipeline from a real broker and
 * registry, compaction on demand, a dead-letter table, and two users (a viewer and an operator).
 */
final class ConsoleFixture implements AutoCloseable {

    static final String VIEWER = "vera";
    static final String VIEWER_PASSWORD = "viewer-secret-1";
    static final String OPERATOR = "otto";
    static final String OPERATOR_PASSWORD = "operator-secret-1";
    /** A record value that is markup: the console must show it as text. */
    static final String HOSTILE_VALUE = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    private static final ObjectMapper JSON = new ObjectMapper();

    final LocalKafkaBroker kafka;
    final String topic;
    final Appliance appliance;
    final OrderGenerator generator;
    final URI url;
    private final SchemaRegistryClient registryClient;
    private long deadLettersProduced;

    /** @param withUsers false for a console without users (read-only, localhost) */
    ConsoleFixture(LocalKafkaBroker kafka, SchemaRegistryServer registry, Path dir, boolean withUsers)
            throws Exception {
        this(kafka, registry, dir, withUsers, false);
    }

    /**
     * @param deadLettersToTopic true to send dead letters only to the topic {@link #deadLetterTopic()}, which the
     *                           console cannot read back; false for the default dead-letter table
     */
    ConsoleFixture(LocalKafkaBroker kafka, SchemaRegistryServer registry, Path dir, boolean withUsers,
                   boolean deadLettersToTopic) throws Exception {
        this.kafka = kafka;
        this.topic = TestNames.unique("orders");
        kafka.createTopic(topic, 2);
        ApplianceYaml yaml = new ApplianceYaml();
        ApplianceYaml.Pipeline pipeline = yaml.pipeline("orders")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                .set("registry.url", registry.url())
                .set("table.location", dir.resolve("orders").toUri().toString())
                .set("table.partition-by", List.of("country"))
                .set("table.freshness-objective", "99% within 2s")
                .set("trigger.interval", "300ms")
                .set("compaction.enabled", false)
                .set("compaction.min-input-files", 2);
        if (deadLettersToTopic) {
            kafka.createTopic(deadLetterTopic(), 1);
            pipeline.set("dead-letters.table", "none").set("dead-letters.topic", deadLetterTopic());
        }
        yaml.console("host", "127.0.0.1").console("port", 0);
        if (withUsers) {
            yaml.console("users", List.of(
                    Map.of("name", VIEWER, "password-hash", PasswordHash.hash(VIEWER_PASSWORD.toCharArray()),
                            "role", "viewer"),
                    Map.of("name", OPERATOR, "password-hash", PasswordHash.hash(OPERATOR_PASSWORD.toCharArray()),
                            "role", "operator")));
        }
        Path config = yaml.write(dir.resolve("appliance.yaml"));
        appliance = Appliance.create(ConfigLoader.load(config));
        appliance.start();
        url = appliance.console().orElseThrow().url();
        registryClient = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
        generator = new OrderGenerator(kafka.bootstrapServers(), registryClient, topic, 0, Clock.systemUTC());
    }

    String deadLetterTopic() {
        return topic + "-dead-letters";
    }

    /** Produces orders and waits until every record produced so far is committed (as a row or a dead letter). */
    void produceAndWait(int orders) {
        generator.produce(orders);
        long produced = generator.nextOrderId() + deadLettersProduced;
        await().atMost(Duration.ofMinutes(1)).until(() ->
                appliance.pipelines().get(0).status().recordsCommitted() >= produced);
    }

    /** Produces one record that is not in the Confluent wire format: a dead letter whose value is markup. */
    void produceHostileRecord() {
        KafkaTestClients.produceAll(kafka, List.of(new ProducerRecord<>(topic, 0,
                "<b>key</b>".getBytes(StandardCharsets.UTF_8), HOSTILE_VALUE.getBytes(StandardCharsets.UTF_8))));
        deadLettersProduced++;
    }

    @Override
    public void close() throws Exception {
        generator.close();
        appliance.close();
        registryClient.close();
    }

    // ---- a small HTTP client with a cookie jar ----

    /** One browser-like visitor: keeps the session cookie and the CSRF token it was given. */
    static final class Visitor {
        private final URI base;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private String cookie;
        String csrfToken;

        Visitor(URI base) {
            this.base = base;
        }

        HttpResponse<String> get(String path) throws Exception {
            return send(request(path).GET().build());
        }

        JsonNode json(String path) throws Exception {
            HttpResponse<String> response = get(path);
            if (response.statusCode() != 200) {
                throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        }

        HttpResponse<String> post(String path, String body, boolean withCsrf) throws Exception {
            HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (withCsrf && csrfToken != null) {
                request.header("X-CSRF-Token", csrfToken);
            }
            return send(request.build());
        }

        HttpResponse<String> login(String user, String password) throws Exception {
            HttpResponse<String> response = post("/api/login",
                    JSON.writeValueAsString(java.util.Map.of("user", user, "password", password)), false);
            if (response.statusCode() == 200) {
                csrfToken = JSON.readTree(response.body()).path("csrfToken").asText();
            }
            return response;
        }

        private HttpRequest.Builder request(String path) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
            if (cookie != null) {
                builder.header("Cookie", cookie);
            }
            return builder;
        }

        private HttpResponse<String> send(HttpRequest request) throws Exception {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            response.headers().firstValue("Set-Cookie").ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
            return response;
        }
    }
}
