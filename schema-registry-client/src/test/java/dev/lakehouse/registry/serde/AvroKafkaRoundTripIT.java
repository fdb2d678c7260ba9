package dev.lakehouse.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records written with schema v1 and v2 through a real broker, all read back resolved to v2. */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class AvroKafkaRoundTripIT {

    private static final Schema V1 = SchemaBuilder.record("Order").namespace("shop").fields()
            .requiredLong("id").requiredString("item").requiredDouble("price").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Order").namespace("shop").fields()
            .requiredLong("id").requiredString("item").requiredDouble("price")
            .name("currency").type().stringType().stringDefault("EUR")
            .optionalString("coupon").endRecord();

    @Test
    void v1AndV2RecordsAreReadBackAsV2(LocalKafkaBroker kafka, SchemaRegistryServer registry) {
        String topic = TestNames.unique("orders");
        kafka.createTopic(topic, 3);
        SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
        ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            boolean v2 = i >= 100;
            GenericRecord order = new GenericData.Record(v2 ? V2 : V1);
            order.put("id", (long) i);
            order.put("item", "item-" + i);
            order.put("price", i * 1.5);
            if (v2) {
                order.put("currency", "USD");
                order.put("coupon", i % 2 == 0 ? "SAVE" + i : null);
            }
            records.add(new ProducerRecord<>(topic, Long.toString(i).getBytes(),
                    serializer.serialize(topic, RecordPart.VALUE, order)));
        }
        KafkaTestClients.produceAll(kafka, records);
        assertThat(client.versions(topic + "-value")).containsExactly(1, 2);

        ConfluentAvroDeserializer deserializer = ConfluentAvroDeserializer.builder(client).readerSchema(V2).build();
        List<GenericRecord> read = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestClients.consume(kafka, topic, 200, Duration.ofSeconds(60))) {
            read.add((GenericRecord) deserializer.deserialize(r.value(),
                    new RecordContext(r.topic(), r.partition(), r.offset())));
        }
        read.sort(Comparator.comparingLong(r -> (Long) r.get("id")));

        assertThat(read).hasSize(200).allSatisfy(r -> assertThat(r.getSchema()).isEqualTo(V2));
        GenericRecord old = read.get(7);
        assertThat(old.get("item").toString()).isEqualTo("item-7");
        assertThat(old.get("price")).isEqualTo(10.5);
        assertThat(old.get("currency").toString()).isEqualTo("EUR");
        assertThat(old.get("coupon")).isNull();
        GenericRecord recent = read.get(150);
        assertThat(recent.get("currency").toString()).isEqualTo("USD");
        assertThat(recent.get("coupon").toString()).isEqualTo("SAVE150");
        assertThat(read.get(151).get("coupon")).isNull();
    }
}
