package dev.lakehouse.table.storage;

import dev.lakehouse.table.TableException;

/**
 * Another process holds the table's writer lease: this one must not write (on object stores two writers lose
 * commits). The message names the holder, when its lease expires, and what to do.
 */
public final class WriterLeaseHeldException extends TableException {

    public WriterLeaseHeldException(String message) {
        super(message);
    }
}
