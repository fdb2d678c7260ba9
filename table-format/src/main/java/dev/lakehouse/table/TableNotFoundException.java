package dev.lakehouse.table;

/**
 * The operation needs an existing table and there is none at the location yet (no first log version). Not
 * transient: create the table first, or point the configuration at the right location.
 */
public final class TableNotFoundException extends TableException {

    public TableNotFoundException(String location, String hint) {
        super("table " + location + " does not exist yet" + (hint.isEmpty() ? "" : "; " + hint));
    }
}
