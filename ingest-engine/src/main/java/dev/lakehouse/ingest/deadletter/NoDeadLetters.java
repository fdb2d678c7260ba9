package dev.lakehouse.ingest.deadletter;

import java.time.Instant;
import java.util.Set;

/** {@link DeadLetterDestination#none()}. */
final class NoDeadLetters implements DeadLetterDestination {

    static final NoDeadLetters INSTANCE = new NoDeadLetters();

    private NoDeadLetters() {
    }

    @Override
    public void write(DeadLetterBatch batch) {
        if (!batch.letters().isEmpty()) {
            throw new IllegalStateException("no dead-letter destination for " + batch.letters().size() + " records");
        }
    }

    @Override
    public Set<Long> writtenFrom(String topic, int partition, long fromOffset, Instant tableCommittedAt) {
        return Set.of();
    }

    @Override
    public String describe() {
        return "none";
    }

    @Override
    public boolean isNone() {
        return true;
    }
}
