package dev.lakehouse.table;

/**
 * What {@link LakeTable#commit} did.
 *
 * @param status committed, or skipped and why
 * @param version the table version holding the batch: the new one, or -1 when skipped
 * @param detail a human-readable explanation for skips
 */
public record CommitOutcome(Status status, long version, String detail) {

    /** Outcome kinds. Only {@link #COMMITTED} wrote anything. */
    public enum Status {
        /** A new table version holds the batch's files and offsets. */
        COMMITTED,
        /** The batch id was already committed (a replay after a crash or a retried commit): nothing written. */
        DUPLICATE_BATCH,
        /** A partition's range starts below the table's next offset: the data is already in. Nothing written. */
        REPLAYED_OFFSETS
    }

    public boolean committed() {
        return status == Status.COMMITTED;
    }
}
