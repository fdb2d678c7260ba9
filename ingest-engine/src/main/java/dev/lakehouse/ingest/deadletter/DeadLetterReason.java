package dev.lakehouse.ingest.deadletter;

/**
 * Why a record became a dead letter. The names are stable: they are stored in dead-letter tables and topics and
 * counted in metrics.
 */
public enum DeadLetterReason {
    /** The value does not start with the Confluent magic byte 0: not Avro in the wire format. */
    WRONG_MAGIC_BYTE,
    /** The value is shorter than the wire-format header or its Avro body ends early. */
    TRUNCATED_PAYLOAD,
    /** The schema id is not in the registry (yet): register the producer's schema, then replay. */
    UNKNOWN_SCHEMA_ID,
    /** The Avro body does not decode with its writer schema. */
    CORRUPT_AVRO,
    /** The value is not a JSON object, or a field does not fit its column. */
    INVALID_JSON,
    /** A column the pipeline requires (or a JSON field the value schema requires) is null or missing. */
    NULL_IN_REQUIRED_COLUMN,
    /** The writer schema changes a column in a way the table cannot take (policy {@code dead-letter}). */
    INCOMPATIBLE_SCHEMA,
    /** Key and value together exceed the pipeline's maximum record size. */
    RECORD_TOO_LARGE,
    /** The value is null (a tombstone): an append-only table has no row for it. */
    NULL_VALUE,
    /** The value decodes to something other than a record. */
    NOT_A_RECORD,
    /** The schema id names a schema of another language than the pipeline's format (an Avro id in JSON Schema). */
    WRONG_SCHEMA_TYPE,
    /** The value does not validate against its JSON schema; the reason names the path of the offending field. */
    SCHEMA_VIOLATION,
    /** The Protobuf message bytes or message indexes do not decode with the value's schema. */
    CORRUPT_PROTOBUF,
    /** A value does not fit its column unchanged: a decimal with more digits than the column's precision. */
    VALUE_OUT_OF_RANGE,
    /** A change to a keyed table without its key: a row with a null key column, a tombstone without a Kafka key. */
    MISSING_KEY,
    /** A tombstone's Kafka key does not give the table's key columns (not decodable, or other fields). */
    UNDECODABLE_KEY,
    /** A change event whose operation is not applied to a table (Debezium's truncate, a message, an unknown one). */
    UNKNOWN_OPERATION;

    /**
     * The reason of a stored name (a dead-letter table row, a dead-letter topic header, a decoder's code).
     *
     * @throws IllegalArgumentException naming the known reasons if {@code name} is none of them
     */
    public static DeadLetterReason named(String name) {
        for (DeadLetterReason reason : values()) {
            if (reason.name().equals(name)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a dead-letter reason; the reasons are "
                + java.util.Arrays.toString(values()));
    }
}
