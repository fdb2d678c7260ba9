package dev.lakehouse.ingest.deadletter;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** Reads partitions of a topic to given end offsets, with a deadline on a scan that stops moving. */
final class PartitionScan {

    private PartitionScan() {
    }

    /**
     * Reads {@code open} up to {@code ends}, handing every record to {@code each}. A scan whose positions stop
     * moving (an offline partition, a broker that does not answer) gives up after {@code stall} with a
     * {@link TimeoutException}, which is retriable: the assignment that asked is tried again, instead of a rebalance
     * callback that never returns while the pipeline says it runs.
     */
    static void readToEnds(Consumer<byte[], byte[]> scan, String topic,
                           Set<TopicPartition> open, Map<TopicPartition, Long> ends, Duration stall,
                           LongSupplier nanoTime,
                           java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        long read = positionsSum(scan, open);
        long movedAt = nanoTime.getAsLong();
        while (open.stream().anyMatch(p -> scan.position(p) < ends.get(p))) {
            for (ConsumerRecord<byte[], byte[]> record : scan.poll(Duration.ofMillis(500))) {
                each.accept(record);
            }
            long now = positionsSum(scan, open);
            if (now != read) {
                read = now;
                movedAt = nanoTime.getAsLong();
            } else if (nanoTime.getAsLong() - movedAt > stall.toNanos()) {
                throw new TimeoutException("dead-letter topic " + topic + ": reading " + open + " up to their end "
                        + "offsets " + ends + " made no progress for " + stall.toSeconds() + " s (a partition "
                        + "offline, or the brokers not answering); the assignment is tried again");
            }
        }
    }

    private static long positionsSum(Consumer<byte[], byte[]> scan,
                                     Set<TopicPartition> partitions) {
        long sum = 0;
        for (TopicPartition partition : partitions) {
            sum += scan.position(partition);
        }
        return sum;
    }
}
