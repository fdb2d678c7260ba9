package dev.lakehouse.ingest.deadletter;


/**
 * Where a stored dead letter is in its replay (see {@code DeadLetterReplay}). Stored in the dead-letter table's
 * {@code replay_state} column: null for {@link #NOT_REPLAYED}, else the name.
 */
public enum ReplayState {
    /** A dead letter no replay has taken up (or one whose replay found it still failing). */
    NOT_REPLAYED,
    /** A replay with the letter's replay id is ingesting it; the next replay finishes an interrupted one. */
    PENDING,
    /** Its row is in the main table, committed by the replay with the letter's replay id. */
    REPLAYED;

    /** The column value: null for {@link #NOT_REPLAYED}. */
    String stored() {
        return this == NOT_REPLAYED ? null : name();
    }

    /**
     * The state of a column value.
     *
     * @throws IllegalArgumentException if the value is none of the states
     */
    static ReplayState ofStored(String value) {
        return value == null ? NOT_REPLAYED : valueOf(value);
    }
}
