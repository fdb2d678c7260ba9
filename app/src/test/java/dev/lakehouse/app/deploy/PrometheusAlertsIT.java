package dev.lakehouse.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.app.ApplianceProcess;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.console.PasswordHash;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring, run for real: a Prometheus server (Debian's {@code prometheus}) scrapes
 * {@code bin/lakehouse run} (its own process, a fixed instance id, the console on) every second and evaluates the
 * shipped rules ({@code deploy/prometheus/lakehouse-rules.yml}). An append table with a freshness objective and a
 * keyed table are fed continuously, with a few undecodable records. The test proves:
 * <ul>
 *   <li>while the pipelines keep up, no freshness alert is pending;</li>
 *   <li>once an operator pauses the pipeline (through the console's API) while records keep arriving, the error
 *       budget burns and {@code LakehouseFreshnessBudgetBurning} becomes pending on the scraped series (its
 *       {@code for: 5m} is not waited out: the expression firing is what is proven), as
 *       {@code LakehouseDeadLettersArriving} does for the undecodable records;</li>
 *   <li>every query of the shipped Grafana dashboard ({@code deploy/grafana/lakehouse-dashboard.json}) is valid
 *       PromQL that Prometheus evaluates, and every metric it names is a series the scrape produced.</li>
 * </ul>
 * Skipped without Prometheus unless {@code LAKEHOUSE_REQUIRE_PROMETHEUS} is set (CI sets it): then it fails.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PrometheusAlertsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DASHBOARD = PrometheusRulesTest.RULES_DIR.resolveSibling("grafana")
            .resolve("lakehouse-dashboard.json");
    private static final String OPERATOR_PASSWORD = "operator-pw-1";

    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aPausedPipelineBreachesItsObjectiveAndTheShippedAlertFiresOnARealScrape(LocalKafkaBroker kafka,
                                                                               @TempDir Path dir) throws Exception {
        Path prometheusBinary = prometheus();
        String clicks = "prom-clicks";
        String accounts = "prom-accounts";
        kafka.createTopic(clicks, 2);
        kafka.createTopic(accounts, 1);
        Files.writeString(dir.resolve("click.avsc"), """
                {"type": "record", "name": "Click", "fields": [{"name": "id", "type": "long"},
                  {"name": "page", "type": "string"}]}""");
        Files.writeString(dir.resolve("account.avsc"), """
                {"type": "record", "name": "Account", "fields": [{"name": "id", "type": "long"},
                  {"name": "balance", "type": "long"}]}""");
        int consolePort = freePort();
        ApplianceYaml yaml = new ApplianceYaml();
        yaml.pipeline("clicks").set("instance-id", "appliance-1")
                .set("format", "json").set("value-schema-file", "click.avsc")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(clicks))
                .set("source.group-id", "lakehouse-" + clicks)
                .set("table.location", dir.resolve("clicks").toUri().toString())
                .set("table.freshness-objective", "99% within 10s")
                .set("table.freshness-window", "10m")
                .set("trigger.interval", "1s")
                .set("compaction.enabled", false);
        yaml.pipeline("accounts").set("instance-id", "appliance-1")
                .set("format", "json").set("value-schema-file", "account.avsc")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(accounts))
                .set("source.group-id", "lakehouse-" + accounts)
                .set("table.location", dir.resolve("accounts").toUri().toString())
                .set("table.mode", "upsert").set("table.key", List.of("id"))
                .set("trigger.interval", "1s")
                .set("compaction.schedule", "5s");
        String hash = PasswordHash.hash(OPERATOR_PASSWORD.toCharArray());
        Path config = yaml.console("host", "127.0.0.1").console("port", consolePort)
                .console("users", List.of(Map.of("name", "ops", "password-hash", hash, "role", "operator")))
                .write(dir.resolve("lakehouse.yaml"));

        Path log = Path.of("target", "prometheus-alerts-appliance.log").toAbsolutePath();
        Path prometheusLog = Path.of("target", "prometheus-alerts-prometheus.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Files.deleteIfExists(prometheusLog);
        int prometheusPort = freePort();
        Path prometheusConfig = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: lakehouse
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(PrometheusRulesTest.RULES_DIR.resolve("lakehouse-rules.yml"), consolePort));
        URI console = URI.create("http://127.0.0.1:" + consolePort);
        URI prometheusUrl = URI.create("http://127.0.0.1:" + prometheusPort);

        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> produce(kafka, clicks, accounts, producing), "test-producer");
        Process appliance = ApplianceProcess.startInstalled(config, log);
        Process prometheus = new ProcessBuilder(prometheusBinary.toString(),
                "--config.file=" + prometheusConfig, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(prometheusLog.toFile()))
                .start();
        try {
            // Records start once the pipelines are ready, so the objective judges ingestion, not the JVM's start.
            await("the appliance ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(console.resolve("/health/ready"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            producer.start();
            await("the appliance scraped and its objective judged").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> query(prometheusUrl, "lakehouse_freshness_objective_ratio{pipeline=\"clicks\"} > 0")
                            .size() == 1 && query(prometheusUrl, "up{job=\"lakehouse\"} == 1").size() == 1);
            // The undecodable records: dead letters arriving (the rule holds it a minute before it fires).
            await("dead letters alert pending").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().until(() -> alerts(prometheusUrl, "LakehouseDeadLettersArriving").stream()
                            .anyMatch(a -> a.path("labels").path("reason").asText().equals("INVALID_JSON")
                                    && a.path("labels").path("pipeline").asText().equals("clicks")));
            // Keeping up: the budget is not burning.
            assertThat(alerts(prometheusUrl, "LakehouseFreshnessBudgetBurning")).as("while keeping up").isEmpty();
            double keepingUp = value(query(prometheusUrl,
                    "lakehouse_freshness_objective_burn_rate{pipeline=\"clicks\"}").get(0));
            assertThat(keepingUp).as("burn rate while keeping up").isLessThan(10);

            // An operator pauses the table while records keep arriving: once its newest committed record is older
            // than the objective's 10 s, every waiting record counts as late, and the budget burns. (10 s: while it
            // keeps up, not even the commit that creates the table on a loaded machine makes records that late.)
            HttpResponse<String> login = post(console.resolve("/api/login"), JSON.writeValueAsString(
                    Map.of("user", "ops", "password", OPERATOR_PASSWORD)), null);
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            String csrf = JSON.readTree(login.body()).path("csrfToken").asText();
            HttpResponse<String> pause = post(console.resolve("/api/pipelines/clicks/pause"), "{}", csrf);
            assertThat(pause.statusCode()).as(pause.body()).isEqualTo(200);

            await("the freshness alert pending on the scraped series").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> !alerts(prometheusUrl, "LakehouseFreshnessBudgetBurning").isEmpty());
            JsonNode burning = alerts(prometheusUrl, "LakehouseFreshnessBudgetBurning").get(0);
            assertThat(burning.path("labels").path("pipeline").asText()).isEqualTo("clicks");
            assertThat(burning.path("labels").path("severity").asText()).isEqualTo("critical");
            assertThat(burning.path("state").asText()).as("held for its 5 minutes before firing")
                    .isIn("pending", "firing");
            assertThat(Double.parseDouble(burning.path("value").asText())).isGreaterThan(10);
            assertThat(query(prometheusUrl, "lakehouse_pipeline_paused{pipeline=\"clicks\"} == 1")).hasSize(1);
            assertThat(alerts(prometheusUrl, "LakehouseFreshnessBudgetBurning").stream()
                    .map(a -> a.path("labels").path("pipeline").asText())).as("the keyed table keeps up")
                    .doesNotContain("accounts");

            await("a compaction run counted").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().until(() -> !query(prometheusUrl, "lakehouse_compaction_runs_total").isEmpty());

            // The dashboard: every query valid and evaluated, every metric it names scraped.
            Set<String> scraped = new TreeSet<>();
            JSON.readTree(get(prometheusUrl.resolve("/api/v1/label/__name__/values"))).path("data")
                    .forEach(n -> scraped.add(n.asText()));
            List<String> expressions = dashboardExpressions();
            assertThat(expressions).hasSizeGreaterThanOrEqualTo(20);
            Set<String> named = new TreeSet<>();
            List<String> empty = new ArrayList<>();
            for (String expression : expressions) {
                String concrete = expression.replace("$__rate_interval", "1m").replace("$pipeline", ".*");
                JsonNode answer = JSON.readTree(get(prometheusUrl.resolve("/api/v1/query?query="
                        + URLEncoder.encode(concrete, StandardCharsets.UTF_8))));
                assertThat(answer.path("status").asText()).as("%s: %s", expression, answer).isEqualTo("success");
                if (answer.path("data").path("result").isEmpty()) {
                    empty.add(expression);
                }
                Matcher metric = Pattern.compile("\\b(lakehouse_[a-z_]+)\\b").matcher(expression);
                while (metric.find()) {
                    named.add(metric.group(1));
                }
            }
            assertThat(scraped).as("series the dashboard names").containsAll(named);
            assertThat(empty).as("dashboard queries without data after this run").isEmpty();
            System.out.printf("prometheus alerts: burn rate %.2f while keeping up, %s once paused (alert %s); "
                    + "%d dashboard queries over %d scraped series names, all evaluated with data%n", keepingUp,
                    burning.path("value").asText(), burning.path("state").asText(), expressions.size(), named.size());
        } finally {
            producing.set(false);
            producer.join(10_000);
            prometheus.destroy();
            appliance.destroy();
            prometheus.waitFor(30, TimeUnit.SECONDS);
            appliance.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Clicks (a few not JSON) and account balances over 50 keys, about 100 records a second, now-stamped. */
    private static void produce(LocalKafkaBroker kafka, String clicks, String accounts, AtomicBoolean producing) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(kafka)) {
            for (long i = 0; producing.get(); i++) {
                String click = i % 500 == 7 ? "not json " + i : "{\"id\": " + i + ", \"page\": \"/p/" + i % 13 + "\"}";
                producer.send(new ProducerRecord<>(clicks, click.getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(accounts, Long.toString(i % 50).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\": " + i % 50 + ", \"balance\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
                if (i % 10 == 9) {
                    producer.flush();
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> dashboardExpressions() throws Exception {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : JSON.readTree(Files.readString(DASHBOARD)).path("panels")) {
            panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
        }
        return expressions;
    }

    private List<JsonNode> query(URI prometheus, String promql) throws Exception {
        JsonNode answer = JSON.readTree(get(prometheus.resolve("/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))));
        List<JsonNode> result = new ArrayList<>();
        answer.path("data").path("result").forEach(result::add);
        return result;
    }

    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.path("value").get(1).asText());
    }

    private List<JsonNode> alerts(URI prometheus, String name) throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        JSON.readTree(get(prometheus.resolve("/api/v1/alerts"))).path("data").path("alerts").forEach(alert -> {
            if (alert.path("labels").path("alertname").asText().equals(name)) {
                alerts.add(alert);
            }
        });
        return alerts;
    }

    private String get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private HttpResponse<String> post(URI uri, String body, String csrf) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (csrf != null) {
            request.header("X-CSRF-Token", csrf);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path prometheus() {
        for (String candidate : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        String message = "prometheus is not installed (Debian's package prometheus)";
        if (System.getenv("LAKEHOUSE_REQUIRE_PROMETHEUS") != null) {
            throw new IllegalStateException(message + ", and LAKEHOUSE_REQUIRE_PROMETHEUS is set");
        }
        Assumptions.abort(message);
        return null;
    }
}
