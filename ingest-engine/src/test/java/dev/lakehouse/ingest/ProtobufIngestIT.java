package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.decode.ConfluentProtobufDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import dev.lakehouse.registry.serde.ConfluentProtobufFormat;
import dev.lakehouse.registry.serde.ConfluentProtobufSerializer;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protobuf values in Confluent's wire format on the real broker, with schemas (and a schema they import, as a
 * reference) in the project's registry: columns come from the message type, a second schema version with a new
 * field adds a column, a value whose bytes do not decode is a dead letter, and Delta Kernel reads the tables.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class ProtobufIngestIT {

    static final String MONEY = """
            syntax = "proto3";
            package common;
            message Money {
              int64 cents = 1;
              string currency = 2;
            }
            """;
    static final String V1 = """
            syntax = "proto3";
            package shop;
            import "google/protobuf/timestamp.proto";
            import "common/money.proto";
            message Order {
              int64 order_id = 1;
              string customer_id = 2;
              common.Money total = 3;
              google.protobuf.Timestamp created_at = 4;
              Status status = 5;
            }
            enum Status {
              NEW = 0;
              PAID = 1;
            }
            """;
    /** V1 plus a field: compatible under the registry's default BACKWARD level. */
    static final String V2 = V1.replace("  Status status = 5;\n", "  Status status = 5;\n  string channel = 6;\n");

    @TempDir
    Path dir;

    @Test
    void columnsComeFromTheMessageTypeANewFieldAddsAColumnAndBadBytesAreDeadLetters(LocalKafkaBroker kafka,
            SchemaRegistryServer registryServer) throws Exception {
        String topic = TestNames.unique("proto-orders");
        kafka.createTopic(topic, 1);
        SchemaRegistryClient registry = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registryServer.url()).build());
        String moneySubject = topic + "-common-money";
        registry.register(moneySubject, new TypedSchema(TypedSchema.PROTOBUF, MONEY));
        List<TypedSchema.Reference> references = List.of(new TypedSchema.Reference("common/money.proto",
                moneySubject, 1));
        FileDescriptor money = ProtobufSchemas.descriptor("common/money.proto", MONEY, name -> null);
        FileDescriptor v1 = ProtobufSchemas.descriptor("shop.proto", V1, name -> money);
        FileDescriptor v2 = ProtobufSchemas.descriptor("shop.proto", V2, name -> money);

        ConfluentProtobufSerializer serializer = new ConfluentProtobufSerializer(registry);
        String subject = topic + "-value";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int id = 0; id < 10; id++) {
            records.add(value(topic, serializer.serialize(subject, V1, references, order(v1, id, null))));
        }
        // A value whose message bytes are cut short.
        byte[] good = serializer.serialize(subject, V1, references, order(v1, 100, null));
        records.add(value(topic, java.util.Arrays.copyOf(good, good.length - 3)));
        for (int id = 10; id < 15; id++) {
            records.add(value(topic, serializer.serialize(subject, V2, references, order(v2, id, "app"))));
        }
        KafkaTestClients.produceAll(kafka, records);

        String location = dir.resolve("orders").toUri().toString();
        String deadLetters = DeadLetterTable.defaultLocation(location);
        try (IngestPipeline pipeline = new IngestPipeline(PipelineSettings.builder("proto-orders")
                .topics(List.of(topic)).bootstrapServers(kafka.bootstrapServers()).groupId(TestNames.unique("group"))
                .triggerInterval(Duration.ofMillis(500)).build(), table(location),
                new ConfluentProtobufDecoder(registry),
                new DeadLetterTable(table(deadLetters), "proto-orders", Clock.systemUTC()))) {
            pipeline.start();
            // Records committed counts dead letters too: each offset is committed once, as a row or a letter.
            await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() == records.size());
        }

        List<Map<String, Object>> rows = KernelReader.read(location).rows();
        assertThat(rows).hasSize(15);
        Map<String, Object> third = rows.stream().filter(r -> r.get("order_id").equals(3L)).findFirst()
                .orElseThrow();
        assertThat(third).containsEntry("customer_id", "c3").containsEntry("status", "PAID")
                .containsEntry("created_at", 1_767_225_603_000_000L).containsEntry("channel", null);
        assertThat(third.get("total").toString()).contains("300").contains("EUR");
        Map<String, Object> evolved = rows.stream().filter(r -> r.get("order_id").equals(12L)).findFirst()
                .orElseThrow();
        assertThat(evolved).containsEntry("channel", "app");

        List<Map<String, Object>> dead = KernelReader.read(deadLetters).rows();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.get("reason")).isEqualTo("CORRUPT_PROTOBUF");
            assertThat((String) r.get("message")).contains(topic + "-0@10").contains("shop.Order");
        });
        int v2Id = registry.register(subject, new TypedSchema(TypedSchema.PROTOBUF, V2, references));
        assertThat(registry.typedSchemaById(v2Id).references()).as("the import, as registered")
                .containsExactlyElementsOf(references);
        assertThat(ConfluentProtobufFormat.header(good).messageIndexes()).containsExactly(0);
    }

    private static DynamicMessage order(FileDescriptor file, long id, String channel) {
        Descriptor order = file.findMessageTypeByName("Order");
        Descriptor moneyType = order.findFieldByName("total").getMessageType();
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(order)
                .setField(order.findFieldByName("order_id"), id)
                .setField(order.findFieldByName("customer_id"), "c" + id)
                .setField(order.findFieldByName("total"), DynamicMessage.newBuilder(moneyType)
                        .setField(moneyType.findFieldByName("cents"), id * 100)
                        .setField(moneyType.findFieldByName("currency"), "EUR").build())
                .setField(order.findFieldByName("created_at"), Timestamp.newBuilder()
                        .setSeconds(1_767_225_600L + id).build())
                .setField(order.findFieldByName("status"), file.findEnumTypeByName("Status").findValueByName("PAID"));
        if (channel != null) {
            builder.setField(order.findFieldByName("channel"), channel);
        }
        return builder.build();
    }

    private static ProducerRecord<byte[], byte[]> value(String topic, byte[] value) {
        return new ProducerRecord<>(topic, 0, null, value);
    }

    private static LakeTable table(String location) {
        return LakeTable.open(TableOptions.builder(location).build());
    }
}
