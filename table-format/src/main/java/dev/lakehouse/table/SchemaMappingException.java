package dev.lakehouse.table;

/**
 * An Avro schema that cannot become a Delta table schema (recursive records, a bare {@code null} type, a decimal
 * wider than 38 digits, ...). The message names the field path. Not retryable: change the schema.
 */
public final class SchemaMappingException extends TableException {

    private final String fieldPath;

    public SchemaMappingException(String fieldPath, String problem) {
        super("field '" + fieldPath + "': " + problem, null);
        this.fieldPath = fieldPath;
    }

    /** Dotted path of the offending field, {@code (root)} for the top level. */
    public String fieldPath() {
        return fieldPath;
    }
}
