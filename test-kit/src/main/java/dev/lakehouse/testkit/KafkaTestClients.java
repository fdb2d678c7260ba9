package dev.lakehouse.testkit;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Byte-array producers and consumers on a test broker, and blocking helpers built on them. */
public final class KafkaTestClients {

    private KafkaTestClients() {
    }

    /** An idempotent, acks=all byte-array producer. The caller closes it. */
    public static KafkaProducer<byte[], byte[]> producer(LocalKafkaBroker broker) {
        return producer(broker, java.util.Map.of());
    }

    /** {@link #producer(LocalKafkaBroker)} with some settings changed (such as {@code max.request.size}). */
    public static KafkaProducer<byte[], byte[]> producer(LocalKafkaBroker broker, java.util.Map<String, String> overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A test waits on every record: a minute is long enough for a loaded machine, short enough to retry.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        props.putAll(overrides);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A byte-array consumer in its own group, reading from the earliest offset. The caller closes it. */
    public static KafkaConsumer<byte[], byte[]> consumer(LocalKafkaBroker broker) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, TestNames.unique("test-group"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Sends every record and waits until the broker acknowledged all of them.
     *
     * <p>Records whose delivery timed out are sent once more with a fresh producer, but only when the topics' end
     * offsets prove that none of them was written (each topic grew by exactly the acknowledged records), so a
     * resend never duplicates. Any other failure, or a second one, throws with the tail of the broker log.
     *
     * @throws IllegalStateException if some records could not be delivered
     */
    public static void produceAll(LocalKafkaBroker broker, List<ProducerRecord<byte[], byte[]>> records) {
        List<ProducerRecord<byte[], byte[]>> pending = records;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            Set<String> topics = pending.stream().map(ProducerRecord::topic).collect(Collectors.toSet());
            Map<String, Long> before = endOffsetTotals(broker, topics);
            SendResult result = sendOnce(broker, pending);
            if (result.failed().isEmpty()) {
                return;
            }
            Map<String, Long> after = endOffsetTotals(broker, topics);
            boolean noneOfTheFailedLanded = topics.stream().allMatch(t ->
                    after.get(t) - before.get(t) == result.acknowledgedPerTopic().getOrDefault(t, 0L));
            boolean timedOut = result.firstError() instanceof TimeoutException;
            if (attempt > 1 || !timedOut || !noneOfTheFailedLanded) {
                throw new IllegalStateException("producing to the test broker failed for " + result.failed().size()
                        + " of " + pending.size() + " records (attempt " + attempt + "): " + result.firstError()
                        + "\n" + broker.logTail(60), result.firstError());
            }
            System.err.println("KafkaTestClients: " + result.failed().size() + " records timed out and none of "
                    + "them reached the log; sending them again with a new producer. First error: "
                    + result.firstError() + "\n" + broker.logTail(30));
            pending = result.failed();
        }
    }

    /** What one producer achieved: the records it could not deliver, and how many it delivered per topic. */
    private record SendResult(List<ProducerRecord<byte[], byte[]>> failed, Map<String, Long> acknowledgedPerTopic,
                              Exception firstError) {
    }

    private static SendResult sendOnce(LocalKafkaBroker broker, List<ProducerRecord<byte[], byte[]>> records) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> failed = new ArrayList<>();
        Map<String, Long> acknowledged = new HashMap<>();
        Exception firstError = null;
        try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
            records.forEach(r -> acks.add(producer.send(r)));
            for (int i = 0; i < records.size(); i++) {
                try {
                    acks.get(i).get();
                    acknowledged.merge(records.get(i).topic(), 1L, Long::sum);
                } catch (ExecutionException e) {
                    failed.add(records.get(i));
                    if (firstError == null) {
                        firstError = e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing to the test broker", e);
        }
        return new SendResult(failed, acknowledged, firstError);
    }

    /** The sum of the end offsets of every partition, per topic. */
    private static Map<String, Long> endOffsetTotals(LocalKafkaBroker broker, Set<String> topics) {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                    description.partitions().forEach(p ->
                            latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<String, Long> totals = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) ->
                    totals.merge(tp.topic(), info.offset(), Long::sum));
            topics.forEach(t -> totals.putIfAbsent(t, 0L));
            return totals;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topics + " from the test broker: "
                    + e + "\n" + broker.logTail(60), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading end offsets", e);
        }
    }

    /**
     * Reads a topic from the beginning until {@code expected} records arrived.
     *
     * @throws AssertionError if they do not arrive within {@code timeout}, naming how many did
     */
    public static List<ConsumerRecord<byte[], byte[]>> consume(LocalKafkaBroker broker, String topic, int expected,
                                                               Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        if (records.size() < expected) {
            throw new AssertionError("expected " + expected + " records on " + topic + " within " + timeout
                    + " but got " + records.size());
        }
        return records;
    }
}
