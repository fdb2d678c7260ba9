package dev.lakehouse.ingest;

import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.ConsumerFactory;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.PipelineState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.testkit.ManualClock;
import dev.lakehouse.testkit.ManualSleeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The pipeline's supervision of its runs: transient failures are retried after a backoff, others stop it. */
class IngestPipelineTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields().requiredLong("id").endRecord();
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualSleeper sleeper = new ManualSleeper(clock);
    private final InMemoryLakeTable table = new InMemoryLakeTable("orders");

    private PipelineSettings settings(ConsumerFactory consumers) {
        return PipelineSettings.builder("orders").instanceId("a").topics(List.of("t"))
                .bootstrapServers("unused:9092").clock(clock).sleeper(sleeper).consumerFactory(consumers)
                .topicIds(TopicIdLookup.none()).build();
    }

    private static MockConsumer<byte[], byte[]> brokerWithThreeRecords() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("none");
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(T0, 0L));
            consumer.rebalance(List.of(T0));
            consumer.updateEndOffsets(Map.of(T0, 3L));
            for (long offset = 0; offset < 3; offset++) {
                consumer.addRecord(new ConsumerRecord<>("t", 0, offset, null,
                        ("{\"id\": " + offset + "}").getBytes(StandardCharsets.UTF_8)));
            }
        });
        return consumer;
    }

    @Test
    void anUnreachableBrokerIsRetriedWithADoublingBackoffAndNothingIsLost() throws InterruptedException {
        AtomicInteger attempts = new AtomicInteger();
        ConsumerFactory brokerBackAfterFourAttempts = properties -> {
            if (attempts.incrementAndGet() <= 4) {
                throw new TimeoutException("broker unreachable");
            }
            return brokerWithThreeRecords();
        };
        table.createIfAbsent(SCHEMA);
        CountDownLatch committed = new CountDownLatch(1);
        IngestPipeline pipeline = new IngestPipeline(settings(brokerBackAfterFourAttempts), table,
                new JsonRecordDecoder(SCHEMA));
        pipeline.addProgressListener(p -> committed.countDown());
        pipeline.start();
        assertThat(committed.await(20, TimeUnit.SECONDS)).as("a batch committed").isTrue();
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
        pipeline.close();

        assertThat(pipeline.status().batchesCommitted()).isEqualTo(1);
        assertThat(pipeline.status().error()).as("cleared by the commit after the outage").isNull();
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(table.rows()).extracting(r -> r.get("id")).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aFailureARestartCannotFixStopsThePipelineWithItsMessage() throws InterruptedException {
        ConsumerFactory refused = properties -> {
            throw new AuthenticationException("SASL authentication failed: bad password for user 'ingest'");
        };
        IngestPipeline pipeline = new IngestPipeline(settings(refused), table, new JsonRecordDecoder(SCHEMA));
        pipeline.start();
        assertThat(pipeline.awaitTermination(Duration.ofSeconds(20))).isTrue();

        assertThat(pipeline.status().state()).isEqualTo(PipelineState.FAILED);
        assertThat(pipeline.status().error()).contains("bad password");
        assertThat(sleeper.sleeps()).as("no backoff for a permanent failure").isEmpty();
    }
}
