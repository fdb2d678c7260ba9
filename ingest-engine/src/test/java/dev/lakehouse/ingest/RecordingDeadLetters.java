package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterBatch;
import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A {@link DeadLetterDestination} that keeps every batch it is given, in memory, and answers
 * {@link #writtenFrom} and {@link #lastBatchId} from them. {@link #failNextWrites} makes the next writes throw, as
 * an unreachable destination would. Thread-safe.
 */
final class RecordingDeadLetters implements DeadLetterDestination {

    private final List<DeadLetterBatch> batches = new ArrayList<>();
    private final Deque<Supplier<? extends RuntimeException>> faults = new ArrayDeque<>();

    synchronized RecordingDeadLetters failNextWrites(int count, Supplier<? extends RuntimeException> fault) {
        for (int i = 0; i < count; i++) {
            faults.add(fault);
        }
        return this;
    }

    /** Every batch written, in order (batches without letters included). */
    synchronized List<DeadLetterBatch> batches() {
        return List.copyOf(batches);
    }

    /** Every letter written, in order. */
    synchronized List<DeadLetter> letters() {
        return batches.stream().flatMap(b -> b.letters().stream()).toList();
    }

    @Override
    public synchronized void write(DeadLetterBatch batch) {
        Supplier<? extends RuntimeException> fault = faults.poll();
        if (fault != null) {
            throw fault.get();
        }
        batches.add(batch);
    }

    @Override
    public synchronized Set<Long> writtenFrom(String topic, int partition, long fromOffset, Instant tableCommittedAt) {
        Set<Long> offsets = new TreeSet<>();
        for (DeadLetter letter : letters()) {
            if (letter.topic().equals(topic) && letter.partition() == partition && letter.offset() >= fromOffset) {
                offsets.add(letter.offset());
            }
        }
        return offsets;
    }

    @Override
    public synchronized long lastBatchId(String batchAppId) {
        return batches.stream()
                .filter(b -> dev.lakehouse.table.BatchCommit.batchAppId(b.pipeline(), b.instanceId()).equals(batchAppId))
                .mapToLong(DeadLetterBatch::batchId).max().orElse(-1);
    }

    @Override
    public String describe() {
        return "memory:dead-letters";
    }
}
