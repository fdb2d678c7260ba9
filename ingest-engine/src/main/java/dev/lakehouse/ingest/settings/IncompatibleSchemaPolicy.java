package dev.lakehouse.ingest.settings;

/** What to do with records whose writer schema the table cannot take ({@code on-incompatible-schema}). */
public enum IncompatibleSchemaPolicy {
    /** Stop the pipeline with a message naming the field, the table's type and the new type. */
    FAIL,
    /** Send those records to the dead-letter destination ({@code INCOMPATIBLE_SCHEMA}) and keep going. */
    DEAD_LETTER
}
