package dev.lakehouse.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retry policy of the REST client against a scripted HTTP endpoint (a fake: the real registry cannot be told
 * to fail on cue). The schema-registry-server ITs cover the real protocol.
 */
class RetryingRestClientTest {

    private static final String SCHEMA_ANSWER = "{\"schema\":\"\\\"string\\\"\"}";
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Long> sleeps = new ArrayList<>();

    /** Answers the first {@code failures} requests with {@code failStatus}, then 200. */
    private String serve(int failures, int failStatus, String failBody) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            int n = requests.incrementAndGet();
            int status = n <= failures ? failStatus : 200;
            byte[] body = (n <= failures ? failBody : SCHEMA_ANSWER).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private RestSchemaRegistryClient client(String url, int retries) {
        return new RestSchemaRegistryClient(RegistryClientConfig.builder(url).maxRetries(retries).build(), sleeps::add);
    }

    @Test
    void retriesServerErrorsWithGrowingBackoffThenSucceeds() throws IOException {
        String url = serve(2, 500, "{\"error_code\":50001,\"message\":\"Error in the backend datastore\"}");
        assertThat(client(url, 3).schemaById(1).getType()).isEqualTo(org.apache.avro.Schema.Type.STRING);
        assertThat(requests).hasValue(3);
        assertThat(sleeps).hasSize(2);
        // Equal jitter: attempt n waits between half and all of 200 ms * 2^(n-1).
        assertThat(sleeps.get(0)).isBetween(100L, 200L);
        assertThat(sleeps.get(1)).isBetween(200L, 400L);
    }

    @Test
    void givesUpAfterTheConfiguredRetriesAsUnavailable() throws IOException {
        String url = serve(100, 503, "<html>busy</html>");
        assertThatThrownBy(() -> client(url, 2).schemaById(1))
                .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> assertThat(e.httpStatus()).isEqualTo(503))
                .hasMessageContaining("schema id 1").hasMessageContaining("busy");
        assertThat(requests).hasValue(3);
    }

    @Test
    void neverRetriesClientErrors() throws IOException {
        String url = serve(100, 404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}");
        assertThatThrownBy(() -> client(url, 5).latestVersion("x")).isInstanceOf(SubjectNotFoundException.class);
        assertThat(requests).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void failsOverToTheNextUrlWhenOneIsUnreachable() throws IOException {
        String good = serve(0, 200, "");
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        RestSchemaRegistryClient client = client("http://127.0.0.1:" + deadPort + "," + good, 2);
        assertThat(client.schemaById(1)).isNotNull();
        assertThat(sleeps).hasSize(1);
    }
}
