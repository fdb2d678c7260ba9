package dev.lakehouse.ingest.deadletter;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A dead-letter destination read back for monitors: how many letters wait for a replay, by reason, and the newest
 * ones. Implemented by {@link DeadLetterTable} (which knows both) and {@link DeadLetterTopic} (which knows only the
 * newest letters).
 */
public interface DeadLetterSummaries {

    /**
     * What a read found.
     *
     * @param pendingByReason letters not replayed yet, by {@link DeadLetterReason} name, sorted; null when the
     *        destination cannot tell (a topic)
     * @param newest the newest letters, newest first
     */
    record Summary(Map<String, Long> pendingByReason, List<Example> newest) {
        public Summary {
            newest = List.copyOf(newest);
        }
    }

    /**
     * One stored letter.
     *
     * @param deadLetteredAt when it was stored, or null when unknown
     * @param replayState its replay state, or null where the destination keeps none (a topic)
     */
    record Example(DeadLetter letter, Instant deadLetteredAt, ReplayState replayState) {
    }

    /** Where the letters are, for display. */
    String describe();

    /** How often a monitor should read it at most: each read costs storage or broker round trips. */
    Duration readEvery();

    /**
     * Reads the summary.
     *
     * @param newest how many of the newest letters to include
     * @throws RuntimeException if the destination cannot be read now (transient)
     */
    Summary read(int newest);
}
