package dev.lakehouse.table;

/**
 * A schema change the table cannot take by adding nullable columns: a changed type, or a change to a partition
 * column. The message names the field, the table's type and the new type. Not retryable.
 */
public final class IncompatibleSchemaChangeException extends TableException {

    private final String fieldPath;

    IncompatibleSchemaChangeException(String fieldPath, String tableType, String newType, String why) {
        super("field '" + fieldPath + "' cannot change from " + tableType + " to " + newType + ": " + why, null);
        this.fieldPath = fieldPath;
    }

    public String fieldPath() {
        return fieldPath;
    }
}
