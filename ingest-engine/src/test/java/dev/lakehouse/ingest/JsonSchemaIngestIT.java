package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.decode.ConfluentJsonSchemaDecoder;
import dev.lakehouse.ingest.decode.RecordDecodeException;
import dev.lakehouse.ingest.settings.PipelineSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentJsonSchemaSerializer;
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
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON Schema values in Confluent's wire format on the real broker, with schemas in the project's registry: the
 * table's columns come from the JSON schema, a new schema version with an added property adds a column, values
 * that break their schema or are not JSON become dead letters naming the offending field, and the tables are read
 * back by Delta Kernel.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
public class JsonSchemaIngestIT {

    public static final String V1 = """
            {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Order", "type": "object",
             "properties": {
               "order_id": {"type": "integer"},
               "customer": {"$ref": "#/definitions/customer"},
               "amount": {"type": "number"},
               "created_at": {"type": "string", "format": "date-time"},
               "tags": {"type": "array", "items": {"type": "string"}},
               "status": {"enum": ["NEW", "PAID"]},
               "note": {"type": ["string", "null"]}
             },
             "required": ["order_id", "customer", "amount"],
             "definitions": {"customer": {"type": "object",
               "properties": {"id": {"type": "string"}, "vip": {"type": "boolean"}}, "required": ["id"]}}}
            """;
    /** V1 plus an optional property: compatible under the registry's default BACKWARD level. */
    static final String V2 = V1.replace("""
               "note": {"type": ["string", "null"]}""", """
               "note": {"type": ["string", "null"]},
               "channel": {"type": "string"}""");

    @TempDir
    Path dir;

    @Test
    void columnsComeFromTheSchemaANewPropertyAddsAColumnAndBadValuesAreDeadLetters(LocalKafkaBroker kafka,
            SchemaRegistryServer registryServer) throws Exception {
        String topic = TestNames.unique("json-orders");
        kafka.createTopic(topic, 1);
        SchemaRegistryClient registry = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registryServer.url()).build());
        ConfluentJsonSchemaSerializer serializer = new ConfluentJsonSchemaSerializer(registry);
        String subject = topic + "-value";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int id = 0; id < 10; id++) {
            records.add(value(topic, serializer.serialize(subject, V1, """
                    {"order_id": %d, "customer": {"id": "c%d", "vip": %b}, "amount": %d.5,
                     "created_at": "2026-01-01T00:00:0%dZ", "tags": ["a", "b"], "status": "NEW"}"""
                    .formatted(id, id, id % 2 == 0, id, id))));
        }
        // Breaks the schema: amount is a string and the customer lacks its required id.
        records.add(value(topic, serializer.serialize(subject, V1,
                "{\"order_id\": 100, \"customer\": {\"vip\": true}, \"amount\": \"lots\"}")));
        // Not JSON after the header.
        byte[] broken = serializer.serialize(subject, V1, "{\"order_id\": 101,");
        records.add(value(topic, broken));
        for (int id = 10; id < 15; id++) {
            records.add(value(topic, serializer.serialize(subject, V2, """
                    {"order_id": %d, "customer": {"id": "c%d"}, "amount": 1, "channel": "web", "note": null}"""
                    .formatted(id, id))));
        }
        KafkaTestClients.produceAll(kafka, records);

        String location = dir.resolve("orders").toUri().toString();
        String deadLetters = DeadLetterTable.defaultLocation(location);
        try (IngestPipeline pipeline = new IngestPipeline(PipelineSettings.builder("json-orders")
                .topics(List.of(topic)).bootstrapServers(kafka.bootstrapServers()).groupId(TestNames.unique("group"))
                .triggerInterval(Duration.ofMillis(500)).build(), table(location),
                new ConfluentJsonSchemaDecoder(registry),
                new DeadLetterTable(table(deadLetters), "json-orders", Clock.systemUTC()))) {
            pipeline.start();
            // Records committed counts dead letters too: each offset is committed once, as a row or a letter.
            await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.status().recordsCommitted() == records.size());
        }

        List<Map<String, Object>> rows = KernelReader.read(location).rows();
        assertThat(rows).hasSize(15);
        Map<String, Object> first = rows.stream().filter(r -> r.get("order_id").equals(3L)).findFirst()
                .orElseThrow();
        assertThat(first).containsEntry("amount", 3.5).containsEntry("status", "NEW")
                .containsEntry("created_at", 1_767_225_603_000_000L).containsEntry("channel", null);
        assertThat(first.get("customer").toString()).contains("c3").contains("false");
        assertThat(first.get("tags").toString()).contains("a").contains("b");
        Map<String, Object> evolved = rows.stream().filter(r -> r.get("order_id").equals(12L)).findFirst()
                .orElseThrow();
        assertThat(evolved).containsEntry("channel", "web").containsEntry("amount", 1.0);

        Map<String, String> reasons = new TreeMap<>();
        KernelReader.read(deadLetters).rows().forEach(r -> reasons.put((String) r.get("reason"),
                (String) r.get("message")));
        assertThat(reasons).containsOnlyKeys("SCHEMA_VIOLATION", "INVALID_JSON");
        assertThat(reasons.get("SCHEMA_VIOLATION")).contains(topic + "-0@10")
                .contains("at /amount: string found, number expected")
                .contains("at /customer: required property 'id' not found");
        assertThat(reasons.get("INVALID_JSON")).contains(topic + "-0@11").contains("not valid JSON");
    }

    @Test
    void aValueWhoseIdNamesAnAvroSchemaIsADeadLetterNamingTheType(SchemaRegistryServer registryServer) {
        SchemaRegistryClient registry = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registryServer.url()).build());
        byte[] avroValue = dev.lakehouse.registry.serde.ConfluentAvroSerializer.builder(registry).build()
                .serialize("mixed", dev.lakehouse.registry.serde.RecordPart.VALUE,
                        TestOrders.order(TestOrders.V1, 1));
        ConfluentJsonSchemaDecoder decoder = new ConfluentJsonSchemaDecoder(registry);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.writerSchema(
                        new org.apache.kafka.clients.consumer.ConsumerRecord<>("mixed", 0, 7L, null, avroValue)))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("mixed-0@7").hasMessageContaining("is a AVRO schema")
                .hasMessageContaining("json-schema")
                .extracting(e -> ((RecordDecodeException) e).reason()).isEqualTo(DeadLetterReason.WRONG_SCHEMA_TYPE);
    }

    private static ProducerRecord<byte[], byte[]> value(String topic, byte[] value) {
        return new ProducerRecord<>(topic, 0, null, value);
    }

    private static LakeTable table(String location) {
        return LakeTable.open(TableOptions.builder(location).build());
    }
}
