package dev.lakehouse.ingest;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@link DeadLetterDestination#all}: writes to each destination in order. */
final class CompositeDeadLetters implements DeadLetterDestination {

    private final List<DeadLetterDestination> destinations;

    CompositeDeadLetters(List<DeadLetterDestination> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public void write(DeadLetterBatch batch) {
        destinations.forEach(d -> d.write(batch));
    }

    /** The union: a record any destination holds was a dead letter, so it must not become a row. */
    @Override
    public Set<Long> writtenFrom(String topic, int partition, long fromOffset, Instant tableCommittedAt) {
        Set<Long> union = new HashSet<>();
        destinations.forEach(d -> union.addAll(d.writtenFrom(topic, partition, fromOffset, tableCommittedAt)));
        return union;
    }

    @Override
    public java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> writtenFrom(
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> fromOffsets, Instant tableCommittedAt) {
        java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> union = new java.util.HashMap<>();
        for (DeadLetterDestination destination : destinations) {
            destination.writtenFrom(fromOffsets, tableCommittedAt).forEach((partition, offsets) ->
                    union.computeIfAbsent(partition, k -> new HashSet<>()).addAll(offsets));
        }
        return union;
    }

    @Override
    public void startOver(String pipeline, String instanceId, long batchId,
                          java.util.List<dev.lakehouse.table.OffsetRange> ranges) {
        destinations.forEach(d -> d.startOver(pipeline, instanceId, batchId, ranges));
    }

    /** The highest of any destination's. */
    @Override
    public long lastBatchId(String batchAppId) {
        return destinations.stream().mapToLong(d -> d.lastBatchId(batchAppId)).max().orElse(-1);
    }

    @Override
    public String describe() {
        return destinations.stream().map(DeadLetterDestination::describe).collect(Collectors.joining(" and "));
    }

    @Override
    public void close() {
        destinations.forEach(DeadLetterDestination::close);
    }
}
