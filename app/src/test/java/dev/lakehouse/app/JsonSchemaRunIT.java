package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentJsonSchemaSerializer;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code format: json-schema} pipeline run by {@code bin/lakehouse run --once} in its own process, with the
 * shipped configuration otherwise (a fixed instance id, day partitions): JSON Schema values produced in
 * Confluent's wire format become rows of the schema's columns, a second schema version adds a column, a value that
 * breaks its schema is a dead letter, and Delta Kernel reads both tables.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class JsonSchemaRunIT {

    private static final String V1 = """
            {"type": "object", "properties": {
              "order_id": {"type": "integer"}, "customer_id": {"type": "string"},
              "amount": {"type": "number"}, "created_at": {"type": "string", "format": "date-time"}},
             "required": ["order_id", "customer_id", "amount", "created_at"]}""";
    private static final String V2 = V1.replace("\"amount\": {\"type\": \"number\"},",
            "\"amount\": {\"type\": \"number\"}, \"channel\": {\"type\": \"string\"},");

    @TempDir
    Path dir;

    @Test
    void jsonSchemaValuesBecomeRowsAndDeadLettersInACatchUpRun(LocalKafkaBroker kafka,
                                                               SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("json-orders");
        kafka.createTopic(topic, 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentJsonSchemaSerializer serializer = new ConfluentJsonSchemaSerializer(client);
            String subject = topic + "-value";
            for (int id = 0; id < 600; id++) {
                String json = id < 500
                        ? ("{\"order_id\": %d, \"customer_id\": \"c%d\", \"amount\": %d.25,"
                        + " \"created_at\": \"2026-12-0%dT10:00:00Z\"}").formatted(id, id % 7, id, 1 + id % 3)
                        : ("{\"order_id\": %d, \"customer_id\": \"c%d\", \"amount\": 1, \"channel\": \"app\","
                        + " \"created_at\": \"2026-12-03T10:00:00Z\"}").formatted(id, id % 7);
                records.add(new ProducerRecord<>(topic, id % 2, null,
                        serializer.serialize(subject, id < 500 ? V1 : V2, json)));
            }
            records.add(new ProducerRecord<>(topic, 0, null, serializer.serialize(subject, V1,
                    "{\"order_id\": 9999, \"customer_id\": \"c1\", \"amount\": \"free\","
                            + " \"created_at\": \"2026-12-03T10:00:00Z\"}")));
        }
        KafkaTestClients.produceAll(kafka, records);
        String location = dir.resolve("orders").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve("lakehouse.yaml"), kafka, registry, topic, location,
                "appliance-1");
        Files.writeString(config, Files.readString(config).replace("format: avro", "format: json-schema"));
        Path log = Path.of("target", "json-schema-run.log").toAbsolutePath();
        Files.deleteIfExists(log);

        Process once = ApplianceProcess.startInstalled(log, null, "run", "--config", config.toString(), "--once");
        assertThat(once.waitFor(3, TimeUnit.MINUTES)).as("the catch-up run exits by itself (see %s)", log).isTrue();
        assertThat(once.exitValue()).as("exit code (see %s)", log).isZero();

        List<Map<String, Object>> rows = KernelReader.read(location).rows();
        assertThat(rows).hasSize(600);
        assertThat(rows.stream().map(r -> r.get("order_id")).distinct()).hasSize(600);
        assertThat(rows).filteredOn(r -> "app".equals(r.get("channel"))).hasSize(100);
        assertThat(rows).filteredOn(r -> r.get("order_id").equals(3L)).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("amount", 3.25).containsEntry("channel", null));
        List<Map<String, Object>> dead = KernelReader.read(location + "_dead_letters").rows();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.get("reason")).isEqualTo("SCHEMA_VIOLATION");
            assertThat((String) r.get("message")).contains("at /amount: string found, number expected");
        });
    }
}
