package dev.lakehouse.benchmarks;

import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A topic of 10-field Avro orders in Confluent's wire format, as the ingest benchmarks drain it. */
final class OrderTopic {

    private OrderTopic() {
    }

    /** A producer tuned for filling a local topic fast (large lz4 batches). */
    static KafkaProducer<byte[], byte[]> fastProducer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 50,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Produces {@code records} orders with unique ids 0..records-1 to {@code topic}; returns the bytes sent. */
    static long fill(String bootstrapServers, SchemaRegistryClient registry, String topic, long records) {
        Schema schema = DeserializationBenchmark.orderV1();
        ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
        Random random = new Random(7);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = fastProducer(bootstrapServers)) {
            GenericRecord r = new GenericData.Record(schema);
            for (long i = 0; i < records; i++) {
                DeserializationBenchmark.fillOrder(r, i, i, random);
                byte[] key = Long.toString(i).getBytes(StandardCharsets.UTF_8);
                byte[] value = serializer.serialize(topic, RecordPart.VALUE, r);
                bytes += key.length + value.length;
                producer.send(new ProducerRecord<>(topic, key, value));
            }
            producer.flush();
        }
        return bytes;
    }
}
