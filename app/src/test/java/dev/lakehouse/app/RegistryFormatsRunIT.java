package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentJsonSchemaSerializer;
import dev.lakehouse.registry.serde.ConfluentProtobufSerializer;
import dev.lakehouse.registry.serde.ProtobufSchemas;
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
 * {@code format: json-schema} and {@code format: protobuf} pipelines run by {@code bin/lakehouse run --once} in
 * their own process, with the shipped configuration otherwise (a fixed instance id, day partitions): values
 * produced in Confluent's wire format become rows of the schema's columns, a second schema version adds a column,
 * a bad value is a dead letter, and Delta Kernel reads both tables.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class RegistryFormatsRunIT {

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
        String location = runOnce(kafka, registry, topic, "json-schema");
        assertRowsAndOneDeadLetter(location, "SCHEMA_VIOLATION", "at /amount: string found, number expected");
    }

    @Test
    void protobufValuesBecomeRowsAndDeadLettersInACatchUpRun(LocalKafkaBroker kafka, SchemaRegistryServer registry)
            throws Exception {
        String topic = TestNames.unique("proto-orders");
        kafka.createTopic(topic, 2);
        String v1 = """
                syntax = "proto3";
                import "google/protobuf/timestamp.proto";
                message Order {
                  int64 order_id = 1;
                  string customer_id = 2;
                  double amount = 3;
                  google.protobuf.Timestamp created_at = 4;
                }
                """;
        String v2 = v1.replace("  google.protobuf.Timestamp created_at = 4;\n",
                "  google.protobuf.Timestamp created_at = 4;\n  string channel = 5;\n");
        FileDescriptor first = ProtobufSchemas.descriptor("order.proto", v1, name -> null);
        FileDescriptor second = ProtobufSchemas.descriptor("order.proto", v2, name -> null);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentProtobufSerializer serializer = new ConfluentProtobufSerializer(client);
            String subject = topic + "-value";
            for (int id = 0; id < 600; id++) {
                Descriptor order = (id < 500 ? first : second).findMessageTypeByName("Order");
                DynamicMessage.Builder message = DynamicMessage.newBuilder(order)
                        .setField(order.findFieldByName("order_id"), (long) id)
                        .setField(order.findFieldByName("customer_id"), "c" + id % 7)
                        .setField(order.findFieldByName("amount"), id < 500 ? id + 0.25 : 1.0)
                        .setField(order.findFieldByName("created_at"), Timestamp.newBuilder()
                                .setSeconds(1_796_292_000L + id % 3 * 86_400L).build());
                if (id >= 500) {
                    message.setField(order.findFieldByName("channel"), "app");
                }
                records.add(new ProducerRecord<>(topic, id % 2, null, serializer.serialize(subject,
                        id < 500 ? v1 : v2, List.of(), message.build())));
            }
            byte[] good = records.get(0).value();
            records.add(new ProducerRecord<>(topic, 0, null, java.util.Arrays.copyOf(good, good.length - 4)));
        }
        KafkaTestClients.produceAll(kafka, records);
        String location = runOnce(kafka, registry, topic, "protobuf");
        assertRowsAndOneDeadLetter(location, "CORRUPT_PROTOBUF", "does not decode as Order");
    }

    /** Runs {@code bin/lakehouse run --once} with the shipped configuration in {@code format}; returns the table. */
    private String runOnce(LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic, String format)
            throws Exception {
        String location = dir.resolve(format + "-orders").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve(format + ".yaml"), kafka, registry, topic, location,
                "appliance-1", pipeline -> pipeline.set("format", format));
        Path log = Path.of("target", format + "-run.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Process once = ApplianceProcess.startInstalled(log, null, "run", "--config", config.toString(), "--once");
        assertThat(once.waitFor(3, TimeUnit.MINUTES)).as("the catch-up run exits by itself (see %s)", log).isTrue();
        assertThat(once.exitValue()).as("exit code (see %s)", log).isZero();
        return location;
    }

    /** 600 orders once each, the last 100 with the added channel column, and one dead letter. */
    private static void assertRowsAndOneDeadLetter(String location, String reason, String message) {
        List<Map<String, Object>> rows = KernelReader.read(location).rows();
        assertThat(rows).hasSize(600);
        assertThat(rows.stream().map(r -> r.get("order_id")).distinct()).hasSize(600);
        assertThat(rows).filteredOn(r -> "app".equals(r.get("channel"))).hasSize(100);
        assertThat(rows).filteredOn(r -> r.get("order_id").equals(3L)).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("amount", 3.25).containsEntry("channel", null));
        List<Map<String, Object>> dead = KernelReader.read(location + "_dead_letters").rows();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.get("reason")).isEqualTo(reason);
            assertThat((String) r.get("message")).contains(message);
        });
    }
}
