package dev.lakehouse.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.app.deploy.ComposeHealthCheck;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The console's HTTP API over real HTTP, against an appliance ingesting from a real broker and registry. */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class ConsoleApiIT {

    @TempDir
    Path dir;

    @Test
    void viewersSeeTablesLagAndDeadLettersOperatorsPauseResumeAndCompact(LocalKafkaBroker kafka,
                                                                         SchemaRegistryServer registry)
            throws Exception {
        try (ConsoleFixture fixture = new ConsoleFixture(kafka, registry, dir, true)) {
            ConsoleFixture.Visitor anonymous = new ConsoleFixture.Visitor(fixture.url);
            fixture.produceAndWait(3000);
            fixture.produceHostileRecord();
            fixture.produceAndWait(1000);

            // Open to scrapers and orchestrators, closed to anonymous readers.
            assertThat(anonymous.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(anonymous.get("/api/overview").statusCode()).isEqualTo(401);
            assertThat(anonymous.json("/api/session").path("loginRequired").asBoolean()).isTrue();
            HttpResponse<String> page = anonymous.get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                    assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
            assertThat(anonymous.login(ConsoleFixture.OPERATOR, "wrong password").statusCode()).isEqualTo(401);

            ConsoleFixture.Visitor viewer = new ConsoleFixture.Visitor(fixture.url);
            assertThat(viewer.login(ConsoleFixture.VIEWER, ConsoleFixture.VIEWER_PASSWORD).statusCode()).isEqualTo(200);
            assertThat(viewer.json("/api/session").path("role").asText()).isEqualTo("VIEWER");

            // Overview: state, version, lag, files, dead letters.
            JsonNode row = viewer.json("/api/overview").get(0);
            assertThat(row.path("name").asText()).isEqualTo("orders");
            assertThat(row.path("state").asText()).isEqualTo("RUNNING");
            assertThat(row.path("tableVersion").asLong()).isPositive();
            assertThat(row.path("files").asInt()).isPositive();
            assertThat(row.path("smallFiles").asInt()).isEqualTo(row.path("files").asInt());
            assertThat(row.path("records").asLong()).isEqualTo(4000);
            assertThat(row.path("totalBytes").asLong()).isPositive();
            assertThat(row.path("lastCommitAgeSeconds").asDouble()).isLessThan(60);
            // Freshness: the newest committed record was produced moments ago, by this test.
            assertThat(row.path("freshnessSeconds").isNumber()).isTrue();
            assertThat(row.path("freshnessSeconds").asDouble()).isBetween(0.0, 60.0);
            await().atMost(Duration.ofSeconds(20)).until(() -> viewer.json("/api/overview").get(0)
                    .path("pendingDeadLetters").asLong() == 1);

            // Table view: schema and its history, partitions, histogram, commits with batch ids and offsets.
            JsonNode table = viewer.json("/api/tables/orders");
            assertThat(names(table.path("schema"), "name")).contains("order_id", "country", "amount");
            // Columns as the table's readers see them: the Avro enum is a Delta string, timestamp-millis a timestamp.
            assertThat(typeOf(table.path("schema"), "status")).isEqualTo("string");
            assertThat(typeOf(table.path("schema"), "created_at")).isEqualTo("timestamp");
            assertThat(table.path("schemaHistory").get(0).path("writerSchema").asText()).startsWith("registry id");
            assertThat(table.path("partitionColumns").get(0).asText()).isEqualTo("country");
            assertThat(table.path("partitions").size()).isGreaterThan(1);
            long histogramFiles = 0;
            for (JsonNode bucket : table.path("fileSizes")) {
                histogramFiles += bucket.path("files").asLong();
            }
            assertThat(histogramFiles).isEqualTo(row.path("files").asLong());
            JsonNode commit = table.path("commits").get(0);
            assertThat(commit.path("operation").asText()).isEqualTo("STREAMING UPDATE");
            assertThat(commit.path("batchId").asText()).isNotEmpty();
            assertThat(commit.path("offsets").get(0).path("topic").asText()).isEqualTo(fixture.topic);
            JsonNode deadLetters = table.path("deadLetters");
            assertThat(deadLetters.path("pendingByReason").path("WRONG_MAGIC_BYTE").asLong()).isEqualTo(1);
            assertThat(deadLetters.path("sentSinceStartByReason").path("WRONG_MAGIC_BYTE").asLong()).isEqualTo(1);
            JsonNode example = deadLetters.path("examples").get(0);
            assertThat(example.path("value").asText()).isEqualTo(ConsoleFixture.HOSTILE_VALUE);
            assertThat(example.path("key").asText()).isEqualTo("<b>key</b>");

            // Lag view: every partition with its log-end offset, the table's next offset, and the lag.
            await().atMost(Duration.ofSeconds(20)).until(() -> viewer.json("/api/tables/orders/lag")
                    .path("series").size() >= 3);
            JsonNode lag = viewer.json("/api/tables/orders/lag");
            assertThat(lag.path("partitions").size()).isEqualTo(2);
            long endOffsets = 0;
            for (JsonNode partition : lag.path("partitions")) {
                endOffsets += partition.path("logEndOffset").asLong();
                assertThat(partition.path("lag").asLong()).isEqualTo(
                        partition.path("logEndOffset").asLong() - partition.path("tableNextOffset").asLong());
            }
            assertThat(endOffsets).isEqualTo(4001);
            assertThat(lag.path("recentBatches").size()).isPositive();

            // A viewer may look but not act.
            HttpResponse<String> refused = viewer.post("/api/pipelines/orders/pause", "", true);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("viewer");

            ConsoleFixture.Visitor operator = new ConsoleFixture.Visitor(fixture.url);
            assertThat(operator.login(ConsoleFixture.OPERATOR, ConsoleFixture.OPERATOR_PASSWORD).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> noToken = operator.post("/api/pipelines/orders/pause", "", false);
            assertThat(noToken.statusCode()).as("an action without the CSRF token").isEqualTo(403);
            assertThat(noToken.body()).contains("X-CSRF-Token");

            // Pause: the table stops moving, the lag grows and is still measured.
            assertThat(operator.post("/api/pipelines/orders/pause", "", true).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> operator.json("/api/overview").get(0)
                    .path("state").asText().equals("PAUSED"));
            long pausedVersion = fixture.appliance.pipelines().get(0).table().snapshot().version();
            fixture.generator.produce(500);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(operator.json("/api/tables/orders/lag")
                    .toString()).contains("\"totalLag\":500,"));
            // The freshness objective (99 % within 2 s): the 500 records waiting while the newest committed one is
            // older than 2 s count as late, so the paused table breaches its objective while it is paused.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode objective = operator.json("/api/overview").get(0).path("freshnessObjective");
                assertThat(objective.path("objective").asText()).isEqualTo("99% within 2s");
                assertThat(objective.path("met").asBoolean()).isFalse();
                assertThat(objective.path("records").asLong()).isGreaterThanOrEqualTo(4000 + 500);
                assertThat(objective.path("ratio").asDouble()).isLessThan(0.9); // at most 4,001 of 4,501 in time
                assertThat(objective.path("burnRate").asDouble()).isGreaterThan(10);
            });
            assertThat(anonymous.get("/metrics").body()).containsPattern(
                    "lakehouse_freshness_objective_burn_rate\\{pipeline=\"orders\"} ([1-9][0-9]|[1-9][0-9][0-9])\\.");
            assertThat(fixture.appliance.pipelines().get(0).table().snapshot().version()).isEqualTo(pausedVersion);

            // Resume: it catches up.
            assertThat(operator.post("/api/pipelines/orders/resume", "", true).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode now = operator.json("/api/overview").get(0);
                return now.path("state").asText().equals("RUNNING") && now.path("totalLag").asLong() == 0
                        && now.path("records").asLong() == 4500;
            });

            // Compact now: a run appears in the table view, and the small files are gone.
            HttpResponse<String> compact = operator.post("/api/tables/orders/compact", "", true);
            assertThat(compact.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    operator.json("/api/tables/orders").path("compactions").size() > 0);
            JsonNode run = operator.json("/api/tables/orders").path("compactions").get(0);
            assertThat(run.path("outcome").asText()).isEqualTo("COMPACTED");
            assertThat(run.path("filesAfter").asInt()).isLessThan(run.path("filesBefore").asInt());
            assertThat(operator.get("/api/tables/nope").statusCode()).isEqualTo(404);

            // Readiness and metrics.
            JsonNode ready = anonymous.json("/health/ready");
            assertThat(ready.path("status").asText()).isEqualTo("UP");
            assertThat(names(ready.path("checks"), "name")).anyMatch(n -> n.startsWith("kafka "))
                    .anyMatch(n -> n.startsWith("schema registry ")).anyMatch(n -> n.startsWith("storage of orders"))
                    .anyMatch(n -> n.equals("pipeline orders"));
            // docker-compose.yml's container health check passes against this console, and fails where none runs.
            assertThat(ComposeHealthCheck.runAgainst(fixture.url.getPort())).isZero();
            assertThat(ComposeHealthCheck.runAgainst(freePort())).isNotZero();
            String metrics = anonymous.get("/metrics").body();
            assertThat(metrics)
                    .contains("lakehouse_ingest_records_total{pipeline=\"orders\"} 4500.0")
                    .contains("lakehouse_ingest_bytes_total{pipeline=\"orders\"}")
                    .contains("lakehouse_batches_total{outcome=\"COMMITTED\",pipeline=\"orders\"}")
                    .contains("lakehouse_batch_duration_seconds_count{pipeline=\"orders\"}")
                    .contains("lakehouse_batch_records_count{pipeline=\"orders\"}")
                    .contains("lakehouse_batch_records_bucket{pipeline=\"orders\",le=\"1024.0\"}")
                    .contains("lakehouse_commit_duration_seconds_count{pipeline=\"orders\"}")
                    .contains("lakehouse_dead_letter_records_total{pipeline=\"orders\",reason=\"WRONG_MAGIC_BYTE\"} 1.0")
                    .contains("lakehouse_written_files_total{pipeline=\"orders\"}")
                    .contains("lakehouse_compaction_runs_total{kind=\"compaction\",outcome=\"COMPACTED\",table=\"orders\"} 1.0")
                    .contains("lakehouse_last_commit_age_seconds{pipeline=\"orders\"}")
                    .contains("lakehouse_freshness_seconds{pipeline=\"orders\"}")
                    .contains("lakehouse_freshness_objective_ratio{pipeline=\"orders\"}")
                    .containsPattern("lakehouse_record_visibility_seconds_bucket\\{pipeline=\"orders\",le=\"\\+Inf\"} [1-9]")
                    .contains("lakehouse_record_visibility_seconds_count{pipeline=\"orders\"}")
                    .contains("lakehouse_freshness_objective_target_ratio{objective=\"99% within 2s\",pipeline=\"orders\"} 0.99")
                    .contains("lakehouse_kafka_consumer_fetch_manager_records_consumed_total")
                    .containsPattern("lakehouse_consumer_lag_records\\{partition=\"0\",pipeline=\"orders\",topic=\"[^\"]+\"} 0.0");
            assertThat(metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank()))
                    .as("every exported name has the app prefix").allMatch(l -> l.startsWith("lakehouse_"));
            // The shipped Prometheus rules speak of series this scrape has.
            for (String name : dev.lakehouse.app.deploy.PrometheusRulesTest.metricNames()) {
                assertThat(metrics).as("deploy/prometheus/lakehouse-rules.yml uses %s", name)
                        .containsPattern("(?m)^" + name + "\\{");
            }

            // Logging out ends the session.
            assertThat(operator.post("/api/logout", "", true).statusCode()).isEqualTo(200);
            assertThat(operator.get("/api/overview").statusCode()).isEqualTo(401);

            // Password guessing: after five failures the user is locked out, even with the right password, and
            // told for how long; the other user is not affected. (The wrong try near the top counted for otto.)
            ConsoleFixture.Visitor guesser = new ConsoleFixture.Visitor(fixture.url);
            for (int i = 0; i < 5; i++) {
                assertThat(guesser.login(ConsoleFixture.VIEWER, "guess-" + i).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> locked = guesser.login(ConsoleFixture.VIEWER, ConsoleFixture.VIEWER_PASSWORD);
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After")).hasValueSatisfying(s ->
                    assertThat(Integer.parseInt(s)).isBetween(1, 30));
            assertThat(locked.body()).contains("too many failed logins for this user");
            // A name that does not exist is locked the same way, so a lock does not tell which names exist.
            for (int i = 0; i < 5; i++) {
                assertThat(guesser.login("nobody", "guess-" + i).statusCode()).isEqualTo(401);
            }
            assertThat(guesser.login("nobody", "guess-5").statusCode()).isEqualTo(429);
            assertThat(new ConsoleFixture.Visitor(fixture.url)
                    .login(ConsoleFixture.OPERATOR, ConsoleFixture.OPERATOR_PASSWORD).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutUsersTheConsoleIsReadOnly(LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        try (ConsoleFixture fixture = new ConsoleFixture(kafka, registry, dir, false, true)) {
            fixture.produceAndWait(100);
            fixture.produceHostileRecord();
            fixture.produceAndWait(100);
            ConsoleFixture.Visitor visitor = new ConsoleFixture.Visitor(fixture.url);
            assertThat(fixture.url.getHost()).isEqualTo("127.0.0.1");
            JsonNode row = visitor.json("/api/overview").get(0);
            assertThat(row.path("records").asLong()).isEqualTo(200);

            // Dead letters that went to a topic only: the console cannot read them back, so it shows what this
            // process sent, by reason.
            KafkaTestClients.consume(kafka, fixture.deadLetterTopic(), 1, Duration.ofSeconds(30));
            assertThat(row.path("pendingDeadLetters").isNull()).isTrue();
            assertThat(row.path("deadLetteredSinceStart").asLong()).isEqualTo(1);
            JsonNode deadLetters = visitor.json("/api/tables/orders").path("deadLetters");
            assertThat(deadLetters.path("destination").asText()).contains(fixture.deadLetterTopic());
            assertThat(deadLetters.path("pendingByReason").isNull()).isTrue();
            assertThat(deadLetters.path("sentSinceStartByReason").path("WRONG_MAGIC_BYTE").asLong()).isEqualTo(1);
            // ... and its examples are the newest messages of the topic, with source position, reason and payload.
            JsonNode example = deadLetters.path("examples").get(0);
            assertThat(example.path("topic").asText()).isEqualTo(fixture.topic);
            assertThat(example.path("partition").asInt()).isZero();
            assertThat(example.path("reason").asText()).isEqualTo("WRONG_MAGIC_BYTE");
            assertThat(example.path("value").asText()).isEqualTo(ConsoleFixture.HOSTILE_VALUE);
            assertThat(example.path("key").asText()).isEqualTo("<b>key</b>");
            assertThat(example.path("replayState").asText()).isEqualTo("IN_TOPIC");
            assertThat(deadLetters.path("examples")).hasSize(1);

            assertThat(visitor.json("/api/session").path("loginRequired").asBoolean()).isFalse();
            HttpResponse<String> refused = visitor.post("/api/pipelines/orders/pause", "", true);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("read-only");
            assertThat(visitor.post("/api/login", "{\"user\":\"a\",\"password\":\"b\"}", false).statusCode())
                    .isEqualTo(400);
            assertThat(fixture.appliance.pipelines().get(0).isPaused()).isFalse();
        }
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.path(field).asText()));
        return names;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String typeOf(JsonNode fields, String column) {
        for (JsonNode field : fields) {
            if (field.path("name").asText().equals(column)) {
                return field.path("type").asText();
            }
        }
        throw new AssertionError("no column " + column + " in " + fields);
    }
}
