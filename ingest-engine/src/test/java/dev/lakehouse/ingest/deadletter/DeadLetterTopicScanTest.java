package dev.lakehouse.ingest.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.Test;

/** The exactly-once scan of a dead-letter topic reads to the end offsets, and never waits without a deadline. */
class DeadLetterTopicScanTest {

    private static final TopicPartition DLQ = new TopicPartition("dlq", 0);

    @Test
    void aScanWhosePositionStopsMovingGivesUpWithARetriableTimeoutInsteadOfWaitingForever() {
        MockConsumer<byte[], byte[]> scan = new MockConsumer<>("earliest");
        scan.assign(List.of(DLQ));
        scan.updateBeginningOffsets(Map.of(DLQ, 0L));
        scan.seek(DLQ, 0);
        scan.addRecord(new ConsumerRecord<>("dlq", 0, 0, null, new byte[] {1}));
        // The end says 5, but the partition is offline: nothing past offset 0 ever arrives.
        AtomicLong nanos = new AtomicLong();
        List<Long> read = new ArrayList<>();

        assertThatThrownBy(() -> PartitionScan.readToEnds(scan, "dlq", Set.of(DLQ), Map.of(DLQ, 5L),
                Duration.ofSeconds(60), () -> nanos.addAndGet(Duration.ofSeconds(7).toNanos()),
                r -> read.add(r.offset())))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("made no progress for 60 s");
        assertThat(read).containsExactly(0L);
    }

    @Test
    void aScanReadsEveryRecordUpToTheEnds() {
        MockConsumer<byte[], byte[]> scan = new MockConsumer<>("earliest");
        scan.assign(List.of(DLQ));
        scan.updateBeginningOffsets(Map.of(DLQ, 0L));
        scan.seek(DLQ, 0);
        for (long offset = 0; offset < 3; offset++) {
            scan.addRecord(new ConsumerRecord<>("dlq", 0, offset, null, new byte[] {1}));
        }
        List<Long> read = new ArrayList<>();
        PartitionScan.readToEnds(scan, "dlq", Set.of(DLQ), Map.of(DLQ, 3L), Duration.ofSeconds(60),
                System::nanoTime, r -> read.add(r.offset()));
        assertThat(read).containsExactly(0L, 1L, 2L);
    }
}
