package dev.lakehouse.compaction;

/** How a maintenance run ended. Only {@link #FAILED} is an error. */
public enum MaintenanceOutcome {
    /** Every planned group of small files was rewritten. */
    COMPACTED,
    /** Some groups lost a race to another writer and were skipped; the rest were rewritten. */
    PARTIAL,
    /** Nothing was worth doing (too few small files, or no table yet). */
    NOTHING_TO_DO,
    /** Files no retained version needs were deleted. */
    VACUUMED,
    /** A vacuum that only listed what it would delete. */
    DRY_RUN,
    /** The run stopped on an error, named in the run's detail; the table is unchanged or consistently changed. */
    FAILED;

    /** Whether the run ended on an error. */
    public boolean failed() {
        return this == FAILED;
    }
}
