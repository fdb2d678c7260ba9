package dev.lakehouse.app.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the audited spans of source partitions from Kafka as a transactional reader sees them
 * ({@code isolation.level=read_committed}: aborted records and transaction markers are not returned), handing each
 * data record's offset to the partition. No consumer group: nothing is committed, nothing joins. Offsets that
 * retention already deleted are counted, not read.
 */
final class KafkaRangeReader {

    private final Map<String, Object> clientProperties;
    private final Duration stallTimeout;
    private final LongSupplier nanoTime;

    /**
     * @param clientProperties bootstrap servers and security settings
     * @param stallTimeout how long reading may make no progress before the audit gives up (a deadline on every wait)
     * @param nanoTime the monotonic clock the deadline is measured on
     */
    KafkaRangeReader(Map<String, Object> clientProperties, Duration stallTimeout, LongSupplier nanoTime) {
        this.clientProperties = clientProperties;
        this.stallTimeout = stallTimeout;
        this.nanoTime = nanoTime;
    }

    /**
     * Reads every partition's span [{@code from()}, {@code to()}).
     *
     * @return per partition, the first offset actually checked (above {@code from()} when retention deleted the
     *     start of the span)
     * @throws IllegalStateException naming the partition and offset when reading stalls past the timeout, or when
     *     Kafka's last stable offset is below where the table resumes (the topic was recreated or truncated)
     */
    Map<AuditedPartition, Long> read(List<AuditedPartition> partitions) {
        Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "lakehouse-audit");
        Map<TopicPartition, AuditedPartition> byPartition = new HashMap<>();
        for (AuditedPartition p : partitions) {
            if (p.to() > p.from()) {
                byPartition.put(new TopicPartition(p.topic, p.partition), p);
            }
        }
        Map<AuditedPartition, Long> checkedFrom = new HashMap<>();
        partitions.forEach(p -> checkedFrom.put(p, p.from()));
        if (byPartition.isEmpty()) {
            return checkedFrom;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>(byPartition.keySet());
            // In order, so a problem found in several partitions is reported for the first of them.
            assigned.sort(java.util.Comparator.comparing(TopicPartition::topic)
                    .thenComparingInt(TopicPartition::partition));
            consumer.assign(assigned);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(assigned, stallTimeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, stallTimeout);
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : assigned) {
                AuditedPartition p = byPartition.get(tp);
                if (ends.get(tp) < p.to()) {
                    throw new IllegalStateException(p.name() + ": Kafka's partition ends at offset " + ends.get(tp)
                            + " but the table took offsets up to " + p.to() + ": the topic was recreated or "
                            + "truncated (or a transaction is still open); audit without --deep");
                }
                long first = Math.max(p.from(), beginnings.get(tp));
                p.deletedByRetention = first - p.from();
                checkedFrom.put(p, first);
                if (first < p.to()) {
                    consumer.seek(tp, first);
                    open.add(tp);
                }
            }
            consumer.pause(assigned);
            consumer.resume(open);
            long progressAt = nanoTime.getAsLong();
            while (!open.isEmpty()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    AuditedPartition p = byPartition.get(new TopicPartition(record.topic(), record.partition()));
                    if (p.covers(record.offset())) {
                        p.kafkaRecord(record.offset());
                    }
                }
                boolean progressed = !records.isEmpty();
                for (java.util.Iterator<TopicPartition> it = open.iterator(); it.hasNext(); ) {
                    TopicPartition tp = it.next();
                    if (consumer.position(tp, stallTimeout) >= byPartition.get(tp).to()) {
                        consumer.pause(List.of(tp));
                        it.remove();
                        progressed = true;
                    }
                }
                if (progressed) {
                    progressAt = nanoTime.getAsLong();
                } else if (nanoTime.getAsLong() - progressAt > stallTimeout.toNanos()) {
                    TopicPartition tp = open.get(0);
                    throw new IllegalStateException(byPartition.get(tp).name() + ": reading stalled at offset "
                            + consumer.position(tp, stallTimeout) + " for " + stallTimeout.toSeconds()
                            + " s before reaching " + byPartition.get(tp).to() + " (is the broker reachable?)");
                }
            }
        }
        return checkedFrom;
    }
}
