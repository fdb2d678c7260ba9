package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producers as users write them, with code the project did not write: Confluent's JavaScript Schema Registry client
 * ({@code @confluentinc/schemaregistry} from npm) serializes orders in Avro (decimals, micros timestamps, dates,
 * a nested nullable record), Protobuf (registered as serialized descriptors with an import as a schema reference,
 * the message second in its file, a map, an enum, a Timestamp, proto3 optional) and JSON Schema (date-times), and
 * KafkaJS produces them (the JSON topic gzip-compressed), against the project's own registry server and the local
 * broker. The client's Protobuf deserializer reads a value back through the registry (its serialized-descriptor
 * form). {@code bin/lakehouse run --once} then ingests the three topics, and every value Delta Kernel reads equals
 * what the producer sent.
 *
 * <p>Needs Node.js and npm, and the npm registry reachable the first time (the packages are then kept in
 * {@code target/confluent-clients}); without them the test is skipped, unless {@code LAKEHOUSE_REQUIRE_NODE} is set
 * (CI sets it): then it fails.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class ConfluentClientsIT {

    private static final int RECORDS = 1_500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void ordersFromConfluentsJavaScriptSerializersBecomeRowsWithTheValuesSent(LocalKafkaBroker kafka,
                                                                            SchemaRegistryServer registry)
            throws Exception {
        Path project = installedNodeProject();
        String prefix = TestNames.unique("node-orders");
        for (String format : List.of("avro", "protobuf", "json")) {
            kafka.createTopic(prefix + "-" + format, 3);
        }
        Path expectedFile = dir.resolve("expected.jsonl");
        Path nodeLog = Path.of("target", "confluent-clients-produce.log").toAbsolutePath();
        Process node = new ProcessBuilder("node", "produce.js", kafka.bootstrapServers(), registry.url(), prefix,
                Integer.toString(RECORDS), expectedFile.toString())
                .directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(nodeLog.toFile())).start();
        assertThat(node.waitFor(3, TimeUnit.MINUTES)).as("node produce.js ends (see %s)", nodeLog).isTrue();
        assertThat(node.exitValue()).as("node produce.js exit (see %s): %s", nodeLog, Files.readString(nodeLog))
                .isZero();

        ApplianceYaml yaml = new ApplianceYaml();
        Map<String, String> tables = new HashMap<>();
        for (String format : List.of("avro", "protobuf", "json")) {
            String table = dir.resolve("orders-" + format).toUri().toString();
            tables.put(format, table);
            ShippedConfig.pipeline(yaml, "orders_" + format, kafka, registry, prefix + "-" + format, table,
                    "appliance-1").set("format", format.equals("json") ? "json-schema" : format);
        }
        Path config = yaml.console("host", "127.0.0.1").console("port", 0).write(dir.resolve("lakehouse.yaml"));
        Path log = Path.of("target", "confluent-clients-appliance.log").toAbsolutePath();
        Files.deleteIfExists(log);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("run --once (see %s)", log).isZero();

        Map<String, Map<Long, JsonNode>> expected = new HashMap<>();
        for (String line : Files.readAllLines(expectedFile)) {
            if (!line.isBlank()) {
                JsonNode row = JSON.readTree(line);
                expected.computeIfAbsent(row.get("format").asText(), f -> new HashMap<>())
                        .put(row.get("id").asLong(), row);
            }
        }
        for (String format : List.of("avro", "protobuf", "json")) {
            List<Map<String, Object>> rows = KernelReader.read(tables.get(format)).rows();
            assertThat(rows).as("rows of the %s table", format).hasSize(RECORDS);
            List<String> differences = new ArrayList<>();
            for (Map<String, Object> row : rows) {
                JsonNode sent = expected.get(format).get(((Number) row.get("id")).longValue());
                String problem = sent == null ? "no such order was sent" : compare(format, sent, row);
                if (problem != null && differences.size() < 10) {
                    differences.add("order " + row.get("id") + ": " + problem + " (row " + row + ")");
                }
            }
            assertThat(differences).as("%s rows that differ from what the JavaScript client sent", format).isEmpty();
        }
        assertThat(Files.readString(log)).doesNotContain("FAILED");
    }

    /** The first difference between what was sent and the row, or null. */
    @SuppressWarnings("unchecked")
    private static String compare(String format, JsonNode sent, Map<String, Object> row) {
        Map<String, Object> expected = new java.util.LinkedHashMap<>();
        Map<String, Object> actual = new java.util.LinkedHashMap<>();
        expected.put("customer", sent.get("customer").asText());
        expected.put("created", sent.get("created").asLong());
        expected.put("tags", strings(sent.get("tags")));
        actual.put("tags", row.get("tags"));
        actual.put("created", row.get("created"));
        switch (format) {
            case "avro" -> {
                actual.put("customer", row.get("customer"));
                expected.put("amount", new BigDecimal(sent.get("amount").asText()));
                actual.put("amount", row.get("amount"));
                expected.put("weight", sent.get("weight").isNull() ? null : new BigDecimal(sent.get("weight").asText()));
                actual.put("weight", row.get("weight"));
                expected.put("day", sent.get("day").asInt());
                actual.put("day", row.get("day"));
                Map<String, Object> address = (Map<String, Object>) row.get("address");
                expected.put("city", sent.get("city").isNull() ? null : sent.get("city").asText());
                actual.put("city", address == null ? null : address.get("city"));
                expected.put("zip", sent.get("zip") == null || sent.get("zip").isNull() ? null
                        : sent.get("zip").asText());
                actual.put("zip", address == null ? null : address.get("zip"));
            }
            case "protobuf" -> {
                actual.put("customer", ((Map<String, Object>) row.get("customer")).get("name"));
                Map<String, String> attributes = new java.util.TreeMap<>();
                sent.get("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
                expected.put("attributes", attributes);
                actual.put("attributes", row.get("attributes") == null ? Map.of()
                        : new java.util.TreeMap<>((Map<String, Object>) row.get("attributes")));
                expected.put("status", sent.get("status").asText());
                actual.put("status", row.get("status"));
                Map<String, Object> total = (Map<String, Object>) row.get("total");
                expected.put("total", sent.get("currency").asText() + " " + sent.get("units").asLong());
                actual.put("total", total.get("currency") + " " + total.get("units"));
                expected.put("note", sent.get("note").isNull() ? null : sent.get("note").asText());
                actual.put("note", row.get("note"));
            }
            default -> {
                actual.put("customer", row.get("customer"));
                expected.put("total", sent.get("total").asDouble());
                actual.put("total", row.get("total"));
            }
        }
        for (Map.Entry<String, Object> entry : expected.entrySet()) {
            Object value = actual.get(entry.getKey());
            Object wanted = entry.getValue();
            boolean same = wanted instanceof BigDecimal decimal && value instanceof BigDecimal got
                    ? decimal.compareTo(got) == 0
                    : wanted instanceof Number n && value instanceof Number m && !(wanted instanceof BigDecimal)
                    ? (n instanceof Double || m instanceof Double ? n.doubleValue() == m.doubleValue()
                    : n.longValue() == m.longValue())
                    : java.util.Objects.equals(wanted, value);
            if (!same) {
                return entry.getKey() + " is " + value + ", sent " + wanted;
            }
        }
        return null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(item -> out.add(item.asText()));
        return out;
    }

    /**
     * The test's Node project ({@code src/test/node/confluent-clients}) with its locked packages installed by
     * {@code npm ci} into {@code target/confluent-clients}, kept while the lock file is unchanged.
     */
    private static Path installedNodeProject() throws IOException, InterruptedException {
        String missing = !onPath("node") ? "node" : !onPath("npm") ? "npm" : null;
        if (missing != null) {
            String message = missing + " is not installed (Debian: apt-get install nodejs npm)";
            if (System.getenv("LAKEHOUSE_REQUIRE_NODE") != null) {
                throw new IllegalStateException(message + ", and LAKEHOUSE_REQUIRE_NODE is set");
            }
            Assumptions.abort(message + ": the test with Confluent's JavaScript client is skipped");
        }
        Path source = Path.of("src", "test", "node", "confluent-clients").toAbsolutePath();
        Path project = Path.of("target", "confluent-clients").toAbsolutePath();
        Files.createDirectories(project);
        boolean installed = Files.isDirectory(project.resolve("node_modules"))
                && Files.exists(project.resolve("package-lock.json"))
                && Files.mismatch(source.resolve("package-lock.json"), project.resolve("package-lock.json")) == -1;
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, project.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!installed) {
            Path log = Path.of("target", "confluent-clients-npm.log").toAbsolutePath();
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
                    .directory(project.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new AssertionError("npm ci did not finish within 5 minutes (see " + log + ")");
            }
            assertThat(npm.exitValue()).as("npm ci (see %s): %s", log, Files.readString(log)).isZero();
        }
        return project;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }
}
