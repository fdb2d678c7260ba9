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

    /** The first send that failed, of any topic: the benchmark stops at the next send. */
    private static final java.util.concurrent.atomic.AtomicReference<Exception> SEND_FAILURE =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Throws if a send of {@link #fill} failed (call it again after the producer's flush). */
    static void checkSent() {
        Exception failed = SEND_FAILURE.get();
        if (failed != null) {
            throw new IllegalStateException("an order was not produced: " + failed, failed);
        }
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
        return fill(bootstrapServers, registry, topic, records, false);
    }

    /**
     * A realistic order: a nested customer with a nested address, an array of line records with decimal prices, an
     * array of strings, a map, a decimal amount, a timestamp and a free-text note of about 200 characters.
     */
    static final Schema NESTED = new Schema.Parser().parse("""
            {"type": "record", "name": "NestedOrder", "namespace": "bench", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "id", "type": "long"}, {"name": "name", "type": "string"},
                {"name": "email", "type": ["null", "string"], "default": null},
                {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                  {"name": "city", "type": "string"}, {"name": "zip", "type": "string"}]}}]}},
              {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
                {"name": "sku", "type": "string"}, {"name": "quantity", "type": "int"},
                {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}]}}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attributes", "type": {"type": "map", "values": "string"}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "note", "type": "string"}
            ]}""");

    private static final String[] WORDS = ("please deliver to the back door ring twice fragile gift wrap leave with "
            + "neighbour call before arriving no plastic thank you express weekend evening office reception").split(" ");

    /** One nested order, its values drawn from {@code random}. */
    static GenericRecord nestedOrder(long i, Random random) {
        GenericRecord order = new GenericData.Record(NESTED);
        order.put("order_id", i);
        Schema customerSchema = NESTED.getField("customer").schema();
        GenericRecord customer = new GenericData.Record(customerSchema);
        customer.put("id", (long) random.nextInt(1_000_000));
        customer.put("name", "customer " + random.nextInt(100_000));
        customer.put("email", random.nextInt(10) == 0 ? null : "c" + random.nextInt(100_000) + "@example.com");
        GenericRecord address = new GenericData.Record(customerSchema.getField("address").schema());
        address.put("city", "city " + random.nextInt(500));
        address.put("zip", String.format("%05d", random.nextInt(100_000)));
        customer.put("address", address);
        order.put("customer", customer);
        Schema lineSchema = NESTED.getField("lines").schema().getElementType();
        java.util.List<GenericRecord> lines = new java.util.ArrayList<>();
        long total = 0;
        for (int l = 0, n = 1 + random.nextInt(4); l < n; l++) {
            GenericRecord line = new GenericData.Record(lineSchema);
            line.put("sku", "sku-" + random.nextInt(10_000));
            line.put("quantity", 1 + random.nextInt(5));
            long cents = 100 + random.nextInt(100_000);
            total += cents;
            line.put("price", java.nio.ByteBuffer.wrap(java.math.BigInteger.valueOf(cents).toByteArray()));
            lines.add(line);
        }
        order.put("lines", lines);
        order.put("tags", java.util.List.of("t" + random.nextInt(20), "t" + random.nextInt(20)));
        order.put("attributes", Map.of("channel", random.nextBoolean() ? "web" : "app", "campaign",
                "c" + random.nextInt(50)));
        order.put("amount", java.nio.ByteBuffer.wrap(java.math.BigInteger.valueOf(total).toByteArray()));
        order.put("created_at", 1_796_292_000_000L + i);
        StringBuilder note = new StringBuilder();
        while (note.length() < 200) {
            note.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        order.put("note", note.toString());
        return order;
    }

    /** As {@link #fill(String, SchemaRegistryClient, String, long)}, of {@link #NESTED} orders when asked. */
    static long fill(String bootstrapServers, SchemaRegistryClient registry, String topic, long records,
                     boolean nested) {
        try (KafkaProducer<byte[], byte[]> producer = fastProducer(bootstrapServers)) {
            long bytes = fill(producer, ConfluentAvroSerializer.builder(registry).build(), topic, records, nested);
            producer.flush();
            checkSent();
            return bytes;
        }
    }

    /**
     * Sends {@code records} orders with unique ids 0..records-1 to {@code topic} through a producer the caller
     * flushes and closes (one producer for many topics); returns the bytes sent. A send that fails ends the
     * benchmark at the next send (a topic short of records would be measured as the appliance's loss).
     */
    static long fill(KafkaProducer<byte[], byte[]> producer, ConfluentAvroSerializer serializer, String topic,
                     long records, boolean nested) {
        Schema schema = DeserializationBenchmark.orderV1();
        Random random = new Random(7);
        long bytes = 0;
        GenericRecord r = new GenericData.Record(schema);
        for (long i = 0; i < records; i++) {
            if (nested) {
                r = nestedOrder(i, random);
            } else {
                DeserializationBenchmark.fillOrder(r, i, i, random);
            }
            byte[] key = Long.toString(i).getBytes(StandardCharsets.UTF_8);
            byte[] value = serializer.serialize(topic, RecordPart.VALUE, r);
            bytes += key.length + value.length;
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, failure) -> {
                if (failure != null) {
                    SEND_FAILURE.compareAndSet(null, failure);
                }
            });
            checkSent();
        }
        return bytes;
    }
}
