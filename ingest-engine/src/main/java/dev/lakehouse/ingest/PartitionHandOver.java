package dev.lakehouse.ingest;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's rebalance listener: partitions given to this instance are positioned at the table's offsets before
 * the poll that got them fetches anything; partitions taken away are handed over after the sealed batches holding
 * them are committed (the instance still owns them until the callback returns). Runs on the poll thread, inside
 * {@code poll()}.
 */
final class PartitionHandOver implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionHandOver.class);

    private final String pipeline;
    private final TableLane lane;
    private final Runnable rebalanceDone;
    private boolean closing;

    /**
     * @param rebalanceDone called at the end of every rebalance this member takes part in, also one that gives it
     *                      no partition
     */
    PartitionHandOver(String pipeline, TableLane lane, Runnable rebalanceDone) {
        this.pipeline = pipeline;
        this.lane = lane;
        this.rebalanceDone = rebalanceDone;
    }

    /**
     * The consumer is being closed: its partitions are revoked, but by then nothing is in flight (or the run failed
     * and nothing more may be committed), so nothing is handed over.
     */
    void closing() {
        closing = true;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            long start = System.nanoTime();
            lane.assigned(partitions);
            LOG.info("pipeline {}: assigned {} partitions in {} ms: {}", pipeline, partitions.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), partitions);
        }
        rebalanceDone.run();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !closing) {
            lane.handOver(partitions, true);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !closing) {
            lane.handOver(partitions, false);
        }
    }
}
