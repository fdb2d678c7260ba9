package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterBatch;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private static final String CONSOLE_HASH = dev.lakehouse.console.PasswordHash.hash("console-pw".toCharArray());

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
                console:
                  host: 0.0.0.0
                  users:
                    - name: ann
                      password-hash: "%s"
                      role: operator
                """.formatted(CONSOLE_HASH));
        int exit = run("validate-config", "--config", config.toString());
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("name: \"ann\"").doesNotContain(CONSOLE_HASH);
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

    @Test
    void deadLettersReplayIngestsTheLettersThatNowDecodeAndListShowsTheRest() throws Exception {
        Files.writeString(dir.resolve("click.avsc"), """
                {"type": "record", "name": "Click", "fields": [
                  {"name": "id", "type": "long"}, {"name": "page", "type": ["null", "string"], "default": null}]}""");
        Path config = dir.resolve("clicks.yaml");
        Files.writeString(config, """
                pipelines:
                  - name: clicks
                    format: json
                    value-schema-file: click.avsc
                    source:
                      bootstrap-servers: localhost:9
                      topics: [clicks]
                    table:
                      location: tables/clicks
                """);
        // Letters from when 'page' was required: one now fits the relaxed schema, one is still not JSON.
        DeadLetterTable letters = new DeadLetterTable(LakeTable.open(TableOptions.builder(
                dir.resolve("tables/clicks_dead_letters").toUri().toString()).build()), "clicks", Clock.systemUTC());
        letters.write(new DeadLetterBatch("clicks", "i1", 0, List.of(new OffsetRange("clicks", 0, 0, 2)), List.of(
                letter(0, "{\"id\": 1}", "NULL_IN_REQUIRED_COLUMN"), letter(1, "{oops", "INVALID_JSON"))));

        assertThat(run("dead-letters", "list", "--config", config.toString(), "--pipeline", "clicks")).isZero();
        assertThat(out.toString()).contains("INVALID_JSON").contains("NULL_IN_REQUIRED_COLUMN");

        assertThat(run("dead-letters", "replay", "--config", config.toString(), "--pipeline", "clicks", "--dry-run"))
                .isZero();
        assertThat(out.toString()).contains("dry run: 1 dead letters would be replayed");
        assertThat(run("dead-letters", "replay", "--config", config.toString(), "--pipeline", "clicks")).isZero();
        assertThat(out.toString()).contains("replayed 1 dead letters").contains("still failing: INVALID_JSON");
        assertThat(KernelReader.read(dir.resolve("tables/clicks").toUri().toString()).rows())
                .extracting(r -> r.get("id")).containsExactly(1L);
        assertThat(letters.countsByReason()).containsOnlyKeys("INVALID_JSON");

        assertThat(run("dead-letters", "replay", "--config", config.toString(), "--pipeline", "nope")).isEqualTo(2);
        assertThat(err.toString()).contains("no pipeline named 'nope'");
    }

    @Test
    void compactAndVacuumRunOnAPipelinesTable() throws Exception {
        Files.writeString(dir.resolve("click.avsc"), """
                {"type": "record", "name": "Click", "fields": [{"name": "id", "type": "long"}]}""");
        Path config = dir.resolve("clicks.yaml");
        Files.writeString(config, """
                pipelines:
                  - name: clicks
                    format: json
                    value-schema-file: click.avsc
                    source: {bootstrap-servers: "localhost:9", topics: [clicks]}
                    table: {location: tables/clicks}
                """);
        LakeTable table = LakeTable.open(TableOptions.builder(dir.resolve("tables/clicks").toUri().toString()).build());
        org.apache.avro.Schema schema = table.createIfAbsent(new org.apache.avro.Schema.Parser().parse(
                Files.readString(dir.resolve("click.avsc")))).avroSchema();
        for (long batch = 0; batch < 6; batch++) {
            try (DataFileWriter writer = table.newDataFileWriter()) {
                org.apache.avro.generic.GenericRecord row = new org.apache.avro.generic.GenericData.Record(schema);
                row.put("id", batch);
                writer.write(row);
                table.commit(new BatchCommit("clicks", "i", batch, writer.finish(), List.of(), java.util.Map.of()));
            }
        }

        assertThat(run("compact", "--config", config.toString(), "--table", "clicks")).isZero();
        assertThat(out.toString()).contains("COMPACTED").contains("6 files").contains("-> 1 files");
        assertThat(table.snapshot().files()).hasSize(1);

        assertThat(run("vacuum", "--config", config.toString(), "--table", "clicks", "--retention", "1h")).isEqualTo(1);
        assertThat(err.toString()).contains("below the minimum of 7 days");
        assertThat(run("vacuum", "--config", config.toString(), "--table", "clicks", "--dry-run")).isZero();
        assertThat(out.toString()).contains("DRY_RUN").contains("would delete 0 files");
        assertThat(run("vacuum", "--config", config.toString(), "--table", "clicks", "--retention", "0s", "--force"))
                .isZero();
        assertThat(out.toString()).contains("deleted 6 files");
        assertThat(KernelReader.read(dir.resolve("tables/clicks").toString()).rows()).hasSize(6);
    }

    private static DeadLetter letter(long offset, String value, String reason) {
        return new DeadLetter("clicks", 0, offset, 1_700_000_000_000L, "CreateTime", null,
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(), dev.lakehouse.ingest.deadletter.DeadLetterReason.named(reason), "clicks-0@" + offset, "");
    }

    @Test
    void helpAndAMistypedCommandKnowEverySubcommandWhileACommandLineBuildsOnlyItsOwn() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "validate-config", "dead-letters", "compact", "vacuum", "demo",
                "hash-password", "generate-orders");
        assertThat(run("rnu", "--config", "x.yaml")).isEqualTo(2);
        assertThat(err.toString()).as("the refusal lists the commands there are").contains("'rnu'")
                .contains("run ", "validate-config", "generate-orders");
        assertThat(Main.commandLineFor("run", "--config", "x.yaml").getSubcommands().keySet())
                .as("the other subcommands' models are not built for a run").containsExactly("run");
    }

    /** Runs a command line as {@link Main#execute} does, capturing its output. */
    private int run(String... args) {
        CommandLine commandLine = Main.commandLineFor(args);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
