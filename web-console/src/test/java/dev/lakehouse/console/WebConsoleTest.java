package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.compaction.MaintenanceControl;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.deadletter.DeadLetterSummaries;
import dev.lakehouse.ingest.deadletter.ReplayState;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.LakeTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's routes over hand-written views: no broker, no storage, no appliance. */
class WebConsoleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakePipeline pipeline = new FakePipeline("orders");
    private final FakeMaintenance maintenance = new FakeMaintenance();
    private final HttpClient http = HttpClient.newHttpClient();
    private WebConsole console;

    /** A pipeline that only answers and records what it was asked. */
    private static final class FakePipeline implements PipelineView {
        final String name;
        final InMemoryLakeTable table;
        volatile boolean paused;

        FakePipeline(String name) {
            this.name = name;
            this.table = new InMemoryLakeTable(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public PipelineStatus status() {
            return new PipelineStatus(name, paused ? PipelineState.PAUSED : PipelineState.RUNNING, null, 1, 3,
                    Instant.parse("2026-01-01T00:00:00Z"), List.of());
        }

        @Override
        public List<BatchProgress> recentProgress() {
            return List.of();
        }

        @Override
        public LakeTable table() {
            return table;
        }

        @Override
        public String deadLetterDestination() {
            return "memory:/orders_dead_letters";
        }

        @Override
        public boolean isPaused() {
            return paused;
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
        }

        @Override
        public void addProgressListener(Consumer<BatchProgress> listener) {
        }

        @Override
        public void addConsumerListener(ConsumerListener listener) {
        }
    }

    private static final class FakeMaintenance implements MaintenanceControl {
        final List<String> compactions = new ArrayList<>();

        @Override
        public void compactNow(String table) {
            compactions.add(table);
        }

        @Override
        public List<MaintenanceRun> recentRuns(String table) {
            return List.of();
        }

        @Override
        public void addRunListener(BiConsumer<String, MaintenanceRun> listener) {
        }
    }

    private static final DeadLetterSummaries TWO_PENDING = new DeadLetterSummaries() {
        @Override
        public String describe() {
            return "memory:/orders_dead_letters";
        }

        @Override
        public Duration readEvery() {
            return Duration.ofSeconds(2);
        }

        @Override
        public Summary read(int newest) {
            DeadLetter letter = new DeadLetter("orders", 0, 7, -1, "NoTimestampType", null, new byte[] {1},
                    List.of(), DeadLetterReason.WRONG_MAGIC_BYTE, "orders-0@7: not Avro", "");
            return new Summary(Map.of("WRONG_MAGIC_BYTE", 2L),
                    List.of(new Example(letter, Instant.parse("2026-01-01T00:00:00Z"), ReplayState.NOT_REPLAYED)));
        }
    };

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
    }

    private void start(ConsoleSettings settings) {
        pipeline.table.createIfAbsent(SchemaBuilder.record("Order").fields().requiredLong("id").endRecord());
        console = WebConsole.start(settings, List.of(new MonitoredTable(pipeline, List.of("orders"), TWO_PENDING,
                1 << 20)), maintenance, List.of(), new ApplianceMetrics());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(console.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String cookie, String csrf)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(console.url().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (csrf != null) {
            request.header(WebConsole.CSRF_HEADER, csrf);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theOverviewShowsEachPipelinesStateTableAndPendingDeadLetters() throws Exception {
        start(ConsoleSettings.localReadOnly(0));

        HttpResponse<String> response = get("/api/overview");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode row = JSON.readTree(response.body()).get(0);
        assertThat(row.path("name").asText()).isEqualTo("orders");
        assertThat(row.path("state").asText()).isEqualTo("RUNNING");
        assertThat(row.path("tableVersion").asLong()).isZero();
        assertThat(row.path("pendingDeadLetters").asLong()).isEqualTo(2);
        JsonNode detail = JSON.readTree(get("/api/tables/orders").body());
        assertThat(detail.path("deadLetters").path("examples").get(0).path("reason").asText())
                .isEqualTo("WRONG_MAGIC_BYTE");
        assertThat(get("/api/tables/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void aTableAddedWhileRunningIsShownWithItsReadinessChecks() throws Exception {
        start(ConsoleSettings.localReadOnly(0));
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        FakePipeline clicks = new FakePipeline("raw.clicks");
        clicks.table.createIfAbsent(SchemaBuilder.record("Click").fields().requiredLong("id").endRecord());
        HealthCheck storage = new HealthCheck() {
            @Override
            public String name() {
                return "storage raw.clicks";
            }

            @Override
            public Result check() {
                return Result.down("unreachable");
            }
        };
        console.addTable(new MonitoredTable(clicks, List.of("clicks"), null, 1 << 20), List.of(storage));

        JsonNode overview = JSON.readTree(get("/api/overview").body());
        assertThat(overview).extracting(row -> row.path("name").asText()).containsExactly("orders", "raw.clicks");
        assertThat(get("/api/tables/raw.clicks").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("storage raw.clicks");
        assertThatThrownBy(() -> console.addTable(new MonitoredTable(clicks, List.of("clicks"), null, 1), List.of()))
                .hasMessageContaining("raw.clicks");
    }

    @Test
    void aReadOnlyConsoleRefusesActions() throws Exception {
        start(ConsoleSettings.localReadOnly(0));

        assertThat(post("/api/pipelines/orders/pause", "", null, null).statusCode()).isEqualTo(403);
        assertThat(pipeline.paused).isFalse();
    }

    @Test
    void anOperatorPausesAPipelineAndAsksForACompactionWithTheSessionsCsrfToken() throws Exception {
        start(new ConsoleSettings("127.0.0.1", 0, List.of(new ConsoleUser("ops",
                PasswordHash.hash("secret".toCharArray()), ConsoleRole.OPERATOR)), Duration.ofHours(1)));
        HttpResponse<String> login = post("/api/login", "{\"user\": \"ops\", \"password\": \"secret\"}", null,
                null);
        assertThat(login.statusCode()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String csrf = JSON.readTree(login.body()).path("csrfToken").asText();

        assertThat(post("/api/pipelines/orders/pause", "", cookie, "wrong").statusCode()).isEqualTo(403);
        assertThat(pipeline.paused).isFalse();
        assertThat(post("/api/pipelines/orders/pause", "", cookie, csrf).statusCode()).isEqualTo(200);
        assertThat(pipeline.paused).isTrue();
        assertThat(post("/api/tables/orders/compact", "", cookie, csrf).statusCode()).isEqualTo(200);
        assertThat(maintenance.compactions).containsExactly("orders");
    }
}
