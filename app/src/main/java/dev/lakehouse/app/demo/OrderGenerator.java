package dev.lakehouse.app.demo;

import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces realistic shop orders (10 fields, Avro in the Confluent wire format, schema registered under
 * {@code <topic>-value}), keyed by order id. Order ids are consecutive from a start id, so a table can be checked
 * for every order exactly once.
 *
 * <p>Not thread-safe; {@link #runAtRate} occupies the calling thread until interrupted.
 */
public final class OrderGenerator implements AutoCloseable {

    /** The order record: what the demo's table holds. */
    public static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "dev.lakehouse.demo", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "customer_id", "type": "string"},
              {"name": "country", "type": "string"},
              {"name": "product", "type": "string"},
              {"name": "quantity", "type": "int"},
              {"name": "unit_price", "type": "double"},
              {"name": "amount", "type": "double"},
              {"name": "currency", "type": "string"},
              {"name": "status", "type": {"type": "enum", "name": "OrderStatus",
                "symbols": ["PLACED", "PAID", "SHIPPED", "CANCELLED"]}},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
            ]}""");

    private static final List<String> COUNTRIES = List.of("DE", "DE", "DE", "FR", "FR", "NL", "IT", "ES", "PL", "SE");
    private static final Map<String, String> CURRENCY = Map.of("PL", "PLN", "SE", "SEK");
    private static final List<String> PRODUCTS = List.of("espresso-beans-1kg", "oat-milk-6x1l", "grinder-pro",
            "moka-pot-6", "filter-papers-100", "travel-mug", "kettle-gooseneck", "scale-0.1g");
    private static final double[] PRICES = {18.90, 11.40, 189.00, 34.50, 4.20, 22.00, 64.90, 27.50};
    private static final List<String> STATUSES = List.of("PLACED", "PLACED", "PAID", "PAID", "PAID", "SHIPPED",
            "CANCELLED");

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ConfluentAvroSerializer serializer;
    private final Clock clock;
    private final Random random;
    private final AtomicLong nextId;
    private final Schema.Field statusField = ORDER.getField("status");

    /**
     * @param bootstrapServers Kafka brokers
     * @param registry registers the order schema on first use
     * @param firstOrderId the id of the first order produced
     */
    public OrderGenerator(String bootstrapServers, SchemaRegistryClient registry, String topic, long firstOrderId,
                          Clock clock) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.serializer = ConfluentAvroSerializer.builder(registry).build();
        this.clock = clock;
        this.random = new Random(firstOrderId);
        this.nextId = new AtomicLong(firstOrderId);
    }

    /** The id the next order gets; ids below it were handed to the producer. */
    public long nextOrderId() {
        return nextId.get();
    }

    /** One order with the next id. */
    public GenericRecord nextOrder() {
        GenericRecord order = new GenericData.Record(ORDER);
        long id = nextId.getAndIncrement();
        int product = random.nextInt(PRODUCTS.size());
        int quantity = 1 + (random.nextInt(10) < 8 ? random.nextInt(2) : random.nextInt(12));
        String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
        order.put("order_id", id);
        order.put("customer_id", "C" + (100_000 + random.nextInt(50_000)));
        order.put("country", country);
        order.put("product", PRODUCTS.get(product));
        order.put("quantity", quantity);
        order.put("unit_price", PRICES[product]);
        order.put("amount", Math.round(PRICES[product] * quantity * 100) / 100.0);
        order.put("currency", CURRENCY.getOrDefault(country, "EUR"));
        order.put("status", new GenericData.EnumSymbol(statusField.schema(),
                STATUSES.get(random.nextInt(STATUSES.size()))));
        order.put("created_at", clock.millis());
        return order;
    }

    /** Sends {@code count} orders as fast as the producer takes them and waits until all are acknowledged. */
    public void produce(long count) {
        for (long i = 0; i < count; i++) {
            send();
        }
        producer.flush();
    }

    /**
     * Sends orders at a steady rate until the thread is interrupted.
     *
     * @param perSecond orders per second
     */
    public void runAtRate(int perSecond) {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, perSecond);
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            send();
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void send() {
        GenericRecord order = nextOrder();
        byte[] key = Long.toString((Long) order.get("order_id")).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, RecordPart.VALUE, order)));
    }

    @Override
    public void close() {
        producer.close();
    }
}
