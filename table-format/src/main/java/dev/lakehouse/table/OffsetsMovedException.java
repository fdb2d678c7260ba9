package dev.lakehouse.table;

/**
 * A partition reset was refused because the partition's next offset in the table is no longer the one the reset
 * replaces: another commit (another instance, or an earlier attempt of this one) moved it after the reset was
 * decided. Nothing was committed. Retriable: read the table's offsets again and decide again.
 */
public final class OffsetsMovedException extends TableException {

    public OffsetsMovedException(String message) {
        super(message);
    }
}
