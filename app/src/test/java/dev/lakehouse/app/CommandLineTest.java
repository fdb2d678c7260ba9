package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void validateConfigPrintsTheEffectiveConfigurationWithSecretsMasked() throws Exception {
        Path config = dir.resolve("ok.yaml");
        Files.writeString(config, """
                pipelines:
                  - name: orders
                    source:
                      bootstrap-servers: localhost:9092
                      topics: [orders]
                      consumer-properties:
                        sasl.jaas.config: "org.apache.kafka.common.security.plain.PlainLoginModule required password='kafka-s3cret';"
                        ssl.truststore.password: truststore-s3cret
                    registry:
                      url: http://localhost:8081
                      user-info: "user:registry-s3cret"
                    table:
                      location: tables/orders
                """);
        int exit = run("validate-config", "--config", config.toString());
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("valid, 1 pipeline(s)").contains("group-id: \"lakehouse-orders\"")
                .contains("interval: \"PT30S\"").contains("******")
                .doesNotContain("kafka-s3cret").doesNotContain("truststore-s3cret").doesNotContain("registry-s3cret");
    }

    @Test
    void aBadConfigurationExitsWithCode2AndNamesTheKey() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "pipelines:\n  - name: orders\n    trigger: {intervall: 5s}\n");
        int exit = run("validate-config", "--config", config.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("pipelines[0].trigger.intervall: unknown key (did you mean 'interval'?)")
                .contains("pipelines[0].source.bootstrap-servers: is required");
    }

    @Test
    void aMissingFileAndAMissingOptionAreReported() {
        assertThat(run("run", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.yaml").contains("cannot read the file");
        assertThat(run("run")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--config");
    }

    private int run(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
