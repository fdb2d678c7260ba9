package dev.lakehouse.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Has a freshly started broker serve one consumer group before anything is timed, as a broker in service has.
 *
 * <p>Why: the benchmarks start their broker, fill the topic and then drain it, so the first drain meets a broker
 * that has never answered a fetch or coordinated a group. That broker then compiles its fetch path and creates
 * {@code __consumer_offsets} while the drain runs, on the same two cores: 0.29-0.35 s of the broker's CPU in the
 * first 1.5 s of the drain instead of 0.07-0.12 s (sampled from /proc for both processes), which the first drain's
 * launch to first commit pays and later drains do not. In a side-by-side run it also penalised whichever peer went
 * first. Reading the topic once with a group of its own puts every drain on the footing of the others.
 */
final class BrokerWarmUp {

    private static final String GROUP = "benchmark-broker-warm-up";

    private BrokerWarmUp() {
    }

    /**
     * Reads {@code topic} from its start to the end offsets it has now, with the consumer group
     * {@value #GROUP}, commits the group's offsets, and prints how long that took.
     *
     * @throws IllegalStateException if the topic has not been read to its end within two minutes
     */
    static void readOnce(String bootstrapServers, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", GROUP);
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", false);
        props.put("isolation.level", "read_committed"); // the fetch path the appliance's consumer takes
        long started = System.nanoTime();
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, Long> ends = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (ends == null || !readToEnd(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker warm-up did not read '" + topic + "' to its end in "
                            + "two minutes (" + read + " records read)");
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                read += records.count();
                Set<TopicPartition> assigned = consumer.assignment();
                if (ends == null && !assigned.isEmpty()) {
                    ends = consumer.endOffsets(assigned);
                }
            }
            consumer.commitSync();
        }
        System.out.printf("broker warm-up: group '%s' read %,d records of '%s' in %.1f s (drain.warm-broker=false "
                + "skips this)%n", GROUP, read, topic, (System.nanoTime() - started) / 1e9);
    }

    private static boolean readToEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }
}
