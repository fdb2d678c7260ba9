package dev.lakehouse.table;

import dev.lakehouse.table.delta.DeltaLakeTable;
import dev.lakehouse.table.storage.WriterLease;

/**
 * A table whose every write (each {@link TableChange} that {@link TableChange#writes() writes}: creation, schema
 * change, batch commit, rewrite, source facts, vacuum), and every attempt of a commit to write a log file, first
 * makes sure that this process holds the table's {@link WriterLease} ({@link WriterLease#ensureValid()}); reads
 * are unchanged. Writing data files is allowed (they are invisible until a commit), committing them is not.
 */
public final class LeasedLakeTable extends ForwardingLakeTable {

    private final WriterLease lease;

    public LeasedLakeTable(LakeTable table, WriterLease lease) {
        super(table);
        this.lease = lease;
        if (table instanceof DeltaLakeTable delta) {
            // A commit loop may try several times; each attempt writes a log file, so each one checks first.
            delta.guardCommits(lease::ensureValid);
        }
    }

    /** The lease this table checks. */
    public WriterLease lease() {
        return lease;
    }

    @Override
    public <R> R apply(TableChange<R> change) {
        if (change.writes()) {
            lease.ensureValid();
        }
        return delegate().apply(change);
    }
}
