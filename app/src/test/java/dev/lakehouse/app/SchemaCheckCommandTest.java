package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lakehouse schema check} before a producer ships a schema: the table it would create, the columns a
 * compatible change adds, and a refused change named with what would happen to its records (dead letters under the
 * default policy, a failed pipeline under {@code fail}); Protobuf files and a keyed table's key checked too.
 */
class SchemaCheckCommandTest {

    private static final String V1 = """
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "quantity", "type": "int"},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "email", "type": "string"}]}}]}""";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void showsTheTableASchemaWouldCreateOrEvolveAndRefusesWhatItCannotHold() throws Exception {
        Path config = config("""
                on-incompatible-schema: dead-letter
                """);
        assertThat(check(config, "orders", "v1.avsc", V1)).as("%s%s", out, err).isZero();
        assertThat(out.toString()).contains("the table does not exist yet: the first record would create")
                .contains("  + order_id bigint").contains("  + customer struct<email:string>")
                .contains("ACCEPTED");

        Path location = dir.resolve("tables/orders");
        LakeTable.open(TableOptions.builder(location.toUri().toString()).build())
                .createIfAbsent(new Schema.Parser().parse(V1));

        String v2 = V1.replace("""
                {"name": "email", "type": "string"}]}}]}""", """
                {"name": "email", "type": "string"},
                    {"name": "tier", "type": ["null", "int"], "default": null}]}},
                  {"name": "channel", "type": "string", "default": "web"}]}""");
        assertThat(check(config, "orders", "v2.avsc", v2)).as("%s", out).isZero();
        assertThat(out.toString()).contains("the table's schema would evolve")
                .contains("  + channel string (nullable; older rows read null)")
                .contains("  ~ customer struct<email:string> -> struct<email:string,tier:int>");

        String narrowed = V1.replace("{\"name\": \"quantity\", \"type\": \"int\"}",
                "{\"name\": \"quantity\", \"type\": \"string\"}");
        assertThat(check(config, "orders", "v3.avsc", narrowed)).isEqualTo(1);
        assertThat(out.toString()).contains("REFUSED: field 'quantity' cannot change from")
                .contains("would become INCOMPATIBLE_SCHEMA dead letters in ").contains("orders_dead_letters");

        String required = V1.replace("{\"name\": \"quantity\", \"type\": \"int\"},",
                "{\"name\": \"quantity\", \"type\": \"int\"}, {\"name\": \"coupon\", \"type\": \"string\"},");
        assertThat(check(config("on-incompatible-schema: fail\n"), "orders", "v4.avsc", required)).isEqualTo(1);
        assertThat(out.toString()).contains("REFUSED: field 'coupon'")
                .contains("would stop the pipeline (FAILED)");

        assertThat(check(config, "orders", "broken.avsc", "{\"type\": ")).isEqualTo(2);
        assertThat(err.toString()).contains("the schema cannot be read: not an Avro schema");
    }

    @Test
    void aProtobufFileOfAKeyedTableIsCheckedForItsKey() throws Exception {
        Path config = dir.resolve("events.yaml");
        Files.writeString(config, """
                pipelines:
                  - name: events
                    format: protobuf
                    registry:
                      url: http://127.0.0.1:1
                    source:
                      bootstrap-servers: 127.0.0.1:1
                      topics: [events]
                    table:
                      location: tables/events
                      mode: upsert
                      key: [event_id]
                """);
        String proto = """
                syntax = "proto3";
                package shop;
                import "google/protobuf/timestamp.proto";
                message Event {
                  string event_id = 1;
                  google.protobuf.Timestamp at = 2;
                  map<string, string> attributes = 3;
                  repeated string tags = 4;
                }
                """;
        assertThat(check(config, "events", "event.proto", proto)).as("%s%s", out, err).isZero();
        assertThat(out.toString()).contains("  + at timestamp").contains("  + attributes map<string,string>")
                .contains("  + tags array<string>").contains("keyed by [event_id]");

        assertThat(check(config, "events", "renamed.proto", proto.replace("event_id", "id"))).isEqualTo(1);
        assertThat(out.toString()).contains("REFUSED: key or version column 'event_id' is not a column");
    }

    private Path config(String extra) throws Exception {
        Path config = dir.resolve("orders.yaml");
        Files.writeString(config, """
                pipelines:
                  - name: orders
                    registry:
                      url: http://127.0.0.1:1
                    source:
                      bootstrap-servers: 127.0.0.1:1
                      topics: [orders]
                    table:
                      location: tables/orders
                """ + "    " + extra);
        return config;
    }

    private int check(Path config, String pipeline, String fileName, String schema) throws Exception {
        Path file = Files.writeString(dir.resolve(fileName), schema);
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        String[] args = {"schema", "check", "--config", config.toString(), "--pipeline", pipeline, "--schema-file",
                file.toString()};
        CommandLine commandLine = Main.commandLineFor(args);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
