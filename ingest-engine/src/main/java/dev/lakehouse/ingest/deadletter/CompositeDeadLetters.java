package dev.lakehouse.ingest.deadletter;

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

    /**
     * The intersection: a record counts as dead-lettered only when every destination holds its letter. A record
     * that only some hold (a crash or a failure between the writes) becomes a letter again; each destination then
     * drops what it already holds (the table by its offsets, the topic by its scan), so every destination ends up
     * with the letter exactly once. The union would leave the destination that missed it without it for good.
     */
    @Override
    public Set<Long> writtenFrom(String topic, int partition, long fromOffset, Instant tableCommittedAt) {
        Set<Long> common = null;
        for (DeadLetterDestination destination : destinations) {
            Set<Long> held = new HashSet<>(destination.writtenFrom(topic, partition, fromOffset, tableCommittedAt));
            if (common == null) {
                common = held;
            } else {
                common.retainAll(held);
            }
        }
        return common == null ? Set.of() : common;
    }

    @Override
    public java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> writtenFrom(
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> fromOffsets, Instant tableCommittedAt) {
        java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> common = null;
        for (DeadLetterDestination destination : destinations) {
            java.util.Map<org.apache.kafka.common.TopicPartition, Set<Long>> held =
                    destination.writtenFrom(fromOffsets, tableCommittedAt);
            if (common == null) {
                common = new java.util.HashMap<>();
                for (var entry : held.entrySet()) {
                    common.put(entry.getKey(), new HashSet<>(entry.getValue()));
                }
            } else {
                for (var entry : common.entrySet()) {
                    entry.getValue().retainAll(held.getOrDefault(entry.getKey(), Set.of()));
                }
            }
        }
        return common == null ? java.util.Map.of() : common;
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
