package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The type matrix: a table per value format, each holding every type the product maps from it ({@link
 * AvroTypeMatrix}, {@link ProtobufTypeMatrix}, {@link JsonSchemaTypeMatrix}, and {@link ConnectJsonTypeMatrix} for JSON
 * written by Kafka Connect's own converter), ingested by two catch-up runs of {@code bin/lakehouse} with the shipped
 * kind of pipeline (day partitions, a fixed instance id), compacted by {@code bin/lakehouse compact} (two of the
 * tables with sorted output), then read by <strong>Spark 4 with delta-spark and its default settings</strong> (the
 * vectorized Parquet reader, in a JVM of its own), by <strong>DuckDB</strong> over the tables' current files (its
 * Delta extension is not installable offline) and by <strong>Delta Kernel</strong> row by row. Every aggregate equals
 * the one computed from the values produced.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class EveryFormatEveryEngineIT {

    private static final int RECORDS = 1_200;

    @TempDir
    Path dir;

    @Test
    void sparkDuckDbAndKernelReadEveryTypeOfProtobufJsonSchemaAndConnectJsonTables(LocalKafkaBroker kafka,
            SchemaRegistryServer registry) throws Exception {
        Map<String, TypeMatrixTable> tables = new LinkedHashMap<>();
        tables.put("avro_orders", new AvroTypeMatrix());
        tables.put("protobuf_readings", new ProtobufTypeMatrix());
        tables.put("json_schema_readings", new JsonSchemaTypeMatrix());
        tables.put("connect_json_readings", new ConnectJsonTypeMatrix());
        Map<String, String> topics = new LinkedHashMap<>();
        ApplianceYaml yaml = new ApplianceYaml();
        for (Map.Entry<String, TypeMatrixTable> table : tables.entrySet()) {
            String topic = TestNames.unique(table.getKey().replace('_', '-'));
            kafka.createTopic(topic, 2);
            topics.put(table.getKey(), topic);
            ApplianceYaml.Pipeline pipeline = ShippedConfig.pipeline(yaml, table.getKey(), kafka, registry, topic,
                            location(table.getKey()), "appliance-1")
                    .set("format", table.getValue().format())
                    .set("table.partition-by", List.of("day(created_at) as created_date"))
                    .set("compaction.min-input-files", 2);
            table.getValue().configure(pipeline);
        }
        Path config = yaml.console("host", "127.0.0.1").console("port", 0).write(dir.resolve("lakehouse.yaml"));
        Path log = Path.of("target", "every-format-every-engine.log").toAbsolutePath();
        Files.deleteIfExists(log);

        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            // Two catch-up runs, so that every day of every table has files for compaction to merge.
            for (int run = 0; run < 2; run++) {
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                for (Map.Entry<String, TypeMatrixTable> table : tables.entrySet()) {
                    String topic = topics.get(table.getKey());
                    for (int i = run * RECORDS / 2; i < (run + 1) * RECORDS / 2; i++) {
                        records.add(new ProducerRecord<>(topic, i % 2, null,
                                table.getValue().value(client, topic, i)));
                    }
                }
                KafkaTestClients.produceAll(kafka, records);
                assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                        .as("run --once (see %s)", log).isZero();
            }
        }
        for (String table : tables.keySet()) {
            Path deadLetters = dir.resolve(table + "_dead_letters");
            if (Files.exists(deadLetters.resolve("_delta_log"))) {
                assertThat(KernelReader.read(deadLetters.toUri().toString()).rows()).as("%s dead letters", table)
                        .isEmpty();
            }
            assertThat(ApplianceProcess.runToExit(log, "compact", "--config", config.toString(), "--table", table))
                    .as("compact %s (see %s)", table, log).isZero();
            assertThat(LakeTable.open(TableOptions.builder(location(table)).build()).history(50))
                    .as("%s compacted (see %s)", table, log)
                    .anyMatch(c -> "OPTIMIZE".equals(c.parameters().get("operation")));
        }

        // Spark: one session, the three tables' aggregates side by side in one row.
        StringBuilder sql = new StringBuilder("SELECT * FROM ");
        int t = 0;
        for (Map.Entry<String, TypeMatrixTable> table : tables.entrySet()) {
            sql.append(t++ == 0 ? "" : " CROSS JOIN ").append("(SELECT ")
                    .append(EngineAggregate.selectList(table.getValue().aggregates(RECORDS), "spark"))
                    .append(" FROM ").append(t == 1 ? "{table}" : "delta.`" + location(table.getKey()) + "`")
                    .append(") AS t").append(t);
        }
        List<JsonNode> sparkRows = SparkPeer.query(location(tables.keySet().iterator().next()), sql.toString(),
                "spark-every-format.log");
        assertThat(sparkRows).as("one result row (see target/spark-every-format.log)").hasSize(1);
        Map<String, String> spark = new LinkedHashMap<>();
        sparkRows.get(0).fields().forEachRemaining(field -> spark.put(field.getKey(), field.getValue().asText()));

        for (Map.Entry<String, TypeMatrixTable> table : tables.entrySet()) {
            List<EngineAggregate> aggregates = table.getValue().aggregates(RECORDS);
            EngineAggregate.assertAll("Spark", aggregates, spark);
            EngineAggregate.assertAll("DuckDB", aggregates, duckDb(location(table.getKey()),
                    "SELECT " + EngineAggregate.selectList(aggregates, "duckdb") + " FROM read_parquet({files})"));
            assertKernelReadsEveryRow(table.getKey(), table.getValue());
        }
    }

    private void assertKernelReadsEveryRow(String name, TypeMatrixTable table) {
        KernelReader.Result result = KernelReader.read(location(name));
        assertThat(result.rows()).as("%s rows read by Delta Kernel", name).hasSize(RECORDS);
        SoftAssertions soft = new SoftAssertions();
        boolean[] seen = new boolean[RECORDS];
        for (Map<String, Object> row : result.rows()) {
            int i = ((Number) row.get(table.idColumn())).intValue();
            soft.assertThat(seen[i]).as("%s row %d once", name, i).isFalse();
            seen[i] = true;
            table.assertKernelRow(i, row, soft);
        }
        soft.assertAll();
    }

    private String location(String table) {
        return dir.resolve(table).toUri().toString();
    }

    /**
     * One row of a DuckDB query over the Parquet files of the table's current version ({@code {files}} stands for
     * their list), every value as DuckDB renders it in text. (DuckDB's Delta extension is not installable offline.)
     */
    private static Map<String, String> duckDb(String location, String sql) throws Exception {
        LakeTable table = LakeTable.open(TableOptions.builder(location).build());
        String root = location.endsWith("/") ? location : location + "/";
        List<String> files = new ArrayList<>();
        for (DataFile file : table.snapshot().files()) {
            files.add("'" + Path.of(URI.create(root + file.path())).toString().replace("'", "''") + "'");
        }
        Map<String, String> row = new LinkedHashMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement();
             ResultSet result = statement.executeQuery(sql.replace("{files}", files.toString()))) {
            assertThat(result.next()).as("one result row").isTrue();
            ResultSetMetaData columns = result.getMetaData();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                row.put(columns.getColumnName(i), result.getString(i));
            }
        }
        return row;
    }
}
