package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.console.PasswordHash;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Secrets (SASL, registry, S3, console users) given in the file and through the environment never reach the logs
 * of a running appliance, nor the output of {@code validate-config}: the appliance runs in its own JVM, ingests,
 * answers logins (a wrong password among them) and stops, and its whole output is searched for every secret.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class SecretsNeverLoggedIT {

    private static final String KAFKA_SECRET = "kafka-secret-7f3a9";
    private static final String REGISTRY_SECRET = "registry-secret-91c2e";
    private static final String S3_SECRET = "s3-secret-d41e7";
    private static final String CONSOLE_PASSWORD = "console-password-a8b05";
    private static final String WRONG_PASSWORD = "wrong-password-55e1c";

    @TempDir
    Path dir;

    @Test
    void noSecretReachesTheLogsOrTheEffectiveConfiguration(LocalKafkaBroker kafka, SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 1);
        String hash = PasswordHash.hash(CONSOLE_PASSWORD.toCharArray());
        Path config = new ApplianceYaml().pipeline("orders")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", List.of(topic))
                // Read only under SASL; the broker here is PLAINTEXT, so it is configured but unused.
                .set("source.consumer-properties.sasl.jaas.config", "org.apache.kafka.common.security.plain."
                        + "PlainLoginModule required username='ingest' password='" + KAFKA_SECRET + "';")
                .set("source.consumer-properties.sasl.mechanism", "PLAIN")
                .set("registry.url", registry.url())
                .set("registry.user-info", "ingest:" + REGISTRY_SECRET)
                .set("table.location", dir.resolve("orders").toUri().toString())
                .set("table.hadoop.fs.s3a.access.key", "s3-access")
                .set("table.hadoop.fs.s3a.secret.key", "${S3_SECRET_KEY}")
                .set("trigger.interval", "300ms")
                .and().console("host", "127.0.0.1").console("port", 0)
                .console("users", List.of(Map.of("name", "ann", "password-hash", "${CONSOLE_HASH}",
                        "role", "operator")))
                .write(dir.resolve("appliance.yaml"));
        List<String> secrets = List.of(KAFKA_SECRET, REGISTRY_SECRET, S3_SECRET, CONSOLE_PASSWORD, WRONG_PASSWORD,
                hash, hash.substring(hash.lastIndexOf('$') + 1));

        // validate-config prints the effective configuration with every secret masked.
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out));
        // In this JVM the placeholders' variables are not set: validate a copy with the values written in.
        Path validateConfig = dir.resolve("validate.yaml");
        Files.writeString(validateConfig, Files.readString(config).replace("${S3_SECRET_KEY}", S3_SECRET)
                .replace("${CONSOLE_HASH}", hash));
        assertThat(cli.execute("validate-config", "--config", validateConfig.toString())).isZero();
        assertThat(out.toString()).contains("******").contains("name: \"ann\"");
        assertNoSecret("validate-config output", out.toString(), secrets);

        // A running appliance: start-up, ingestion, logins, shutdown.
        Path log = dir.resolve("appliance.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("S3_SECRET_KEY", S3_SECRET);
        builder.environment().put("CONSOLE_HASH", hash);
        Process appliance = builder.start();
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator generator = new OrderGenerator(kafka.bootstrapServers(), client, topic, 0,
                     Clock.systemUTC())) {
            Pattern consoleAt = Pattern.compile("console at (http://\\S+)");
            await().atMost(Duration.ofMinutes(1)).until(() -> consoleAt.matcher(Files.readString(log)).find());
            Matcher matcher = consoleAt.matcher(Files.readString(log));
            assertThat(matcher.find()).isTrue();
            URI console = URI.create(matcher.group(1));
            generator.produce(300);
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(log).contains("\"outcome\":\"COMMITTED\""));

            HttpClient http = HttpClient.newHttpClient();
            assertThat(login(http, console, WRONG_PASSWORD)).isEqualTo(401);
            assertThat(login(http, console, CONSOLE_PASSWORD)).isEqualTo(200);
        } finally {
            appliance.destroy(); // SIGTERM: a graceful stop, logged
            assertThat(appliance.waitFor(2, TimeUnit.MINUTES)).isTrue();
        }
        String logged = Files.readString(log);
        assertThat(logged).contains("failed login for 'ann'").contains("ann logged in").contains("pipeline orders stopped");
        assertNoSecret("the appliance's log", logged, secrets);
    }

    private static int login(HttpClient http, URI console, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(console.resolve("/api/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"ann\",\"password\":\"" + password + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void assertNoSecret(String where, String text, List<String> secrets) {
        for (String secret : secrets) {
            assertThat(text).as(where + " must not contain a secret").doesNotContain(secret);
        }
    }
}
