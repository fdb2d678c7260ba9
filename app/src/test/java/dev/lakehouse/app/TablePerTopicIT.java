package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table per topic as production runs it: {@code bin/lakehouse run} in its own process with a topic pattern and
 * {@code {topic}} in the table location, a fixed instance id and the {@code _kafka} column. Three topics exist at
 * start, a fourth is created while it runs; the console and {@code /metrics} show each table; after a SIGKILL a
 * catch-up run ({@code --once}) takes the rest; Delta Kernel finds in each table exactly its topic's orders.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class TablePerTopicIT {

    @TempDir
    Path dir;

    @Test
    void eachTopicIsIngestedExactlyOnceIntoItsOwnTableIncludingATopicCreatedWhileRunning(
            LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        String prefix = TestNames.unique("route");
        List<String> topics = List.of(prefix + "-a", prefix + "-b", prefix + "-c", prefix + "-d");
        Map<String, Long> firstId = new LinkedHashMap<>();
        Map<String, Long> produced = new LinkedHashMap<>();
        for (int i = 0; i < topics.size(); i++) {
            firstId.put(topics.get(i), i * 100_000L);
            produced.put(topics.get(i), 0L);
        }
        kafka.createTopic(prefix + "-unrelated", 1); // matches no pattern: no table
        for (String topic : topics.subList(0, 3)) {
            kafka.createTopic(topic, 2);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path tables = dir.resolve("tables");
        Path config = dir.resolve("lakehouse.yaml");
        new ApplianceYaml().pipeline("raw")
                .set("instance-id", "appliance-1")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topic-pattern", prefix + "-[a-d]")
                .set("source.topic-discovery-interval", "2s")
                .set("source.starting-position", "earliest")
                .set("format", "avro")
                .set("registry.url", registry.url())
                .set("table.location", tables.toUri() + "/{topic}")
                .set("table.kafka-metadata", true)
                .set("trigger.interval", "1s")
                .and().console("host", "127.0.0.1").console("port", port).write(config);
        Path log = Path.of("target", "table-per-topic.log").toAbsolutePath();
        Files.deleteIfExists(log);

        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            for (String topic : topics.subList(0, 3)) {
                produce(kafka, client, topic, firstId, produced, 500);
            }
            Process appliance = ApplianceProcess.startInstalled(config, log);
            try {
                for (String topic : topics.subList(0, 3)) {
                    awaitRows(tables, topic, 500, appliance, log);
                }
                // A topic created while the appliance runs gets its table at the next discovery round.
                kafka.createTopic(topics.get(3), 2);
                produce(kafka, client, topics.get(3), firstId, produced, 300);
                awaitRows(tables, topics.get(3), 300, appliance, log);

                String overview = get(port, "/api/overview");
                String metrics = get(port, "/metrics");
                for (String topic : topics) {
                    assertThat(overview).contains("\"raw." + topic + "\"");
                    assertThat(metrics).contains("pipeline=\"raw." + topic + "\"");
                }
                assertThat(Files.exists(tables.resolve(prefix + "-unrelated"))).isFalse();

                // A topic deleted while the appliance runs: its pipeline is stopped and released (console row,
                // meters, consumer) within two discovery rounds; its table stays.
                String deleted = topics.get(2);
                try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                    admin.deleteTopics(List.of(deleted)).all().get(30, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                        !appliance.isAlive() || Files.readString(log).contains("topic " + deleted + " was deleted; "
                                + "its pipeline is stopped and released"));
                assertThat(appliance.isAlive()).as("the appliance runs (see %s)", log).isTrue();
                assertThat(get(port, "/api/overview")).doesNotContain("\"raw." + deleted + "\"");
                assertThat(get(port, "/metrics")).doesNotContain("pipeline=\"raw." + deleted + "\"")
                        .contains("pipeline=\"raw." + topics.get(0) + "\"");
                assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + port + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .as("a deleted topic's checks are gone from readiness").doesNotContain("raw." + deleted);

                // More for every remaining topic, then a SIGKILL at some point of ingesting it.
                for (String topic : topics) {
                    if (!topic.equals(deleted)) {
                        produce(kafka, client, topic, firstId, produced, 400);
                    }
                }
                TimeUnit.MILLISECONDS.sleep(300);
            } finally {
                appliance.destroyForcibly();
                assertThat(appliance.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }

            // A catch-up run finds the three topics left and takes whatever the killed run had not committed.
            Process once = ApplianceProcess.startInstalled(log, null, "run", "--config", config.toString(), "--once");
            // Well within the group's 45 s session: the deleted topic's pipeline left the group when it was
            // released, so no rebalance waits for that member to time out (it did before: 42 s).
            assertThat(once.waitFor(40, TimeUnit.SECONDS)).as("the catch-up run exits (see %s)", log).isTrue();
            assertThat(once.exitValue()).as("exit of the catch-up run (see %s)", log).isZero();
        }

        for (String topic : topics) {
            assertExactlyTheTopicsOrders(tables.resolve(topic).toUri().toString(), topic, firstId.get(topic),
                    produced.get(topic));
        }
        assertThat(Files.readString(log)).doesNotContain("FAILED").doesNotContain("cannot be ingested");

        // `lakehouse audit` audits the table of every topic the pattern matches now, against the topics themselves.
        Path auditLog = Path.of("target", "table-per-topic-audit.log").toAbsolutePath();
        Files.deleteIfExists(auditLog);
        int exit = ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString(), "--deep");
        String audited = Files.readString(auditLog);
        assertThat(exit).as(audited).isZero();
        assertThat(audited).contains("raw: a table per topic, 3 topics now");
        for (String topic : List.of(topics.get(0), topics.get(1), topics.get(3))) {
            assertThat(audited).contains("raw." + topic + ": OK: every offset taken is in the table exactly once")
                    .contains("raw." + topic + ": OK: every data record in Kafka is in the table exactly once");
        }
        assertThat(audited).doesNotContain("raw." + topics.get(2) + ":");
    }

    private static void produce(LocalKafkaBroker kafka, SchemaRegistryClient client, String topic,
                                Map<String, Long> firstId, Map<String, Long> produced, int count) {
        try (OrderGenerator orders = new OrderGenerator(kafka.bootstrapServers(), client, topic,
                firstId.get(topic) + produced.get(topic), Clock.systemUTC())) {
            orders.produce(count);
        }
        produced.merge(topic, (long) count, Long::sum);
    }

    private static void awaitRows(Path tables, String topic, long rows, Process appliance, Path log) {
        LakeTable table = LakeTable.open(TableOptions.builder(tables.resolve(topic).toUri().toString()).build());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> !appliance.isAlive() || table.exists() && table.snapshot().totalRecords() >= rows);
        assertThat(appliance.isAlive()).as("the appliance runs (see %s)", log).isTrue();
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    /** The table holds orders {@code first} to {@code first + count - 1}, each once, all from {@code topic}. */
    private static void assertExactlyTheTopicsOrders(String location, String topic, long first, long count) {
        Set<Long> ids = new HashSet<>();
        long rows = 0;
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            rows++;
            ids.add((Long) row.get("order_id"));
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) row.get("_kafka");
            assertThat(metadata.get("topic")).as("the _kafka.topic of a row of %s", location).isEqualTo(topic);
        }
        assertThat(rows).as("rows of %s", location).isEqualTo(count);
        assertThat(ids).as("distinct ids of %s", location).hasSize((int) count);
        assertThat(ids.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(first);
        assertThat(ids.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(first + count - 1);
    }
}
