package dev.lakehouse.ingest.status;

import dev.lakehouse.table.CommitOutcome;

/**
 * What became of a sealed batch. {@link #committed()} is the one answer to "is this batch done with": the
 * pipeline moves past a committed batch's records, and reads any other batch's records again from the table's
 * offsets. Metrics count as ingested exactly the batches that say committed.
 */
public enum BatchOutcome {
    /** A new table version holds the batch's rows and offsets (and its dead letters are stored). */
    COMMITTED(true),
    /**
     * Only dead letters, before the table exists: they are stored, and there is no table yet to hold the offsets,
     * which the table takes with its first rows. The records are done with.
     */
    NO_TABLE_YET(true),
    /**
     * The table already holds a batch with this batch id: another run of this instance committed under it. Its
     * offsets and id are not this batch's, so the records are read again from the table's offsets.
     */
    DUPLICATE_BATCH(false),
    /** A partition's range starts below the table's next offset: the records are in already; read again. */
    REPLAYED_OFFSETS(false),
    /** A partition's range starts above the table's next offset: committing would lose records; read again. */
    OFFSET_GAP(false);

    private final boolean committed;

    BatchOutcome(boolean committed) {
        this.committed = committed;
    }

    /** Whether the batch's records are done with (see the class comment). */
    public boolean committed() {
        return committed;
    }

    /** The outcome of a table commit's status. */
    public static BatchOutcome of(CommitOutcome.Status status) {
        return switch (status) {
            case COMMITTED -> COMMITTED;
            case DUPLICATE_BATCH -> DUPLICATE_BATCH;
            case REPLAYED_OFFSETS -> REPLAYED_OFFSETS;
        };
    }
}
