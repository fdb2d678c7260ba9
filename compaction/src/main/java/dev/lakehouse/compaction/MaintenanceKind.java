package dev.lakehouse.compaction;

/** What a maintenance run does to a table. */
public enum MaintenanceKind {
    /** Rewrites small files into larger ones (see {@link CompactionRunner}). */
    COMPACTION,
    /** Deletes files no retained version needs (see {@link Vacuum}). */
    VACUUM
}
