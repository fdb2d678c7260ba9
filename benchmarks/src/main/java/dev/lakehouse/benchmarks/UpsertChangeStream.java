package dev.lakehouse.benchmarks;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The upsert benchmark's change stream: 75 % updates, 10 % new keys, 15 % deletes (tombstones); updates and deletes
 * skewed (90 % to the newest 1 % of keys) or uniform. Keys are the order ids as text; values are Avro orders in
 * Confluent's wire format. Continues across the live phase and the backlog.
 */
final class UpsertChangeStream {

    private final String distribution;
    private final Random random = new Random(9);
    private final GenericRecord order = new GenericData.Record(DeserializationBenchmark.orderV1());
    private long nextKey;
    private long sequence;

    /**
     * @param distribution "skewed" or "uniform"
     * @param keys the keys the table holds already (0 .. keys - 1); new keys continue after them
     */
    UpsertChangeStream(String distribution, long keys) {
        this.distribution = distribution;
        this.nextKey = keys;
    }

    /** "skewed" or "uniform". */
    String distribution() {
        return distribution;
    }

    /**
     * The next change: an upsert of a new or an existing key, or a tombstone; with {@code upsert.mode=dedupe}, as an
     * at-least-once producer of events sends them: 95 % new keys, 5 % resent copies of existing ones.
     */
    ProducerRecord<byte[], byte[]> next(String topic, ConfluentAvroSerializer serializer) {
        int dice = random.nextInt(100);
        if (DEDUPE) {
            dice = dice < 95 ? 0 : 10; // a new key, or a copy of an existing one's (never a tombstone)
        }
        long id;
        if (dice < 10) {
            id = nextKey++;
        } else if (distribution.equals("skewed") && random.nextInt(10) < 9) {
            long recent = Math.max(1, nextKey / 100);
            id = nextKey - 1 - (long) (random.nextDouble() * recent);
        } else {
            id = (long) (random.nextDouble() * nextKey);
        }
        byte[] value = null;
        id = orderId(id);
        if (dice < 10 || dice >= 25) {
            DeserializationBenchmark.fillOrder(order, id, sequence, random);
            value = serializer.serialize(topic, RecordPart.VALUE, order);
        }
        sequence++;
        return new ProducerRecord<>(topic, key(id), value);
    }

    /** A producer that batches as a busy service's does (lz4, 256 KiB batches, 5 ms linger). */
    static KafkaProducer<byte[], byte[]> producer(LocalKafkaBroker kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The order id of the {@code n}th key: {@code n} itself, or with {@code upsert.key-order=random} its bits
     * reversed, so that ids follow no order of arrival (as UUIDs and hashed ids do) and every file's min/max range
     * of ids spans nearly all of them.
     */
    static long orderId(long n) {
        return RANDOM_KEYS ? Long.reverse(n) : n;
    }

    private static final boolean RANDOM_KEYS = "random".equals(System.getProperty("upsert.key-order"));
    private static final boolean DEDUPE = "dedupe".equals(System.getProperty("upsert.mode"));

    /** An order id as its Kafka key. */
    static byte[] key(long id) {
        return Long.toString(id).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Changes at {@code rate} per second for {@code seconds}, in 10 ms slices; each acknowledged change's send time
     * goes to {@code sendNanos} by partition and offset (from {@code firstChange}), and {@code produced} gets each
     * partition's next offset.
     */
    static void produce(LocalKafkaBroker kafka, ConfluentAvroSerializer serializer, String topic,
                        UpsertChangeStream changes, int rate, int seconds, List<long[]> sendNanos,
                        long[] firstChange, long[] produced) {
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            while (System.nanoTime() < end) {
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                for (; sent < due; sent++) {
                    ProducerRecord<byte[], byte[]> change = changes.next(topic, serializer);
                    long sendAt = System.nanoTime();
                    producer.send(change, (metadata, error) -> {
                        if (error == null) {
                            synchronized (sendNanos) {
                                long[] times = sendNanos.get(metadata.partition());
                                int index = (int) (metadata.offset() - firstChange[metadata.partition()]);
                                if (index >= 0 && index < times.length) {
                                    times[index] = sendAt;
                                }
                                produced[metadata.partition()] = Math.max(produced[metadata.partition()],
                                        metadata.offset() + 1);
                            }
                        }
                    });
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
