package dev.lakehouse.table;

import dev.lakehouse.table.storage.ConditionalPutLogStore;
import java.util.Locale;

/** What keeps concurrent commits to a table from replacing each other. */
public enum CommitCoordination {
    /** Local disk: an OS file lock around each commit, across the processes of one host. */
    LOCAL_FILE_LOCK,
    /**
     * An object store without conditional writes: one writer process at a time, kept out by the table's writer
     * lease (delta-standalone's log store there is single-driver).
     */
    WRITER_LEASE,
    /**
     * An object store with conditional writes: every log entry is written with {@code If-None-Match: *}
     * ({@link ConditionalPutLogStore}), so any number of processes may commit.
     */
    CONDITIONAL_PUT;

    /** The configuration's spelling: {@code local-file-lock}, {@code writer-lease}, {@code conditional-put}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
