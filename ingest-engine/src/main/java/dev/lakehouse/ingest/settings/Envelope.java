package dev.lakehouse.ingest.settings;

/** How a record's value carries its row: as the row itself, or inside a change-data-capture envelope. */
public enum Envelope {
    /** The value is the row; in a keyed table a null value (a tombstone) deletes its key. */
    NONE,
    /**
     * The value is Debezium's change event ({@code before}, {@code after}, {@code source}, {@code op},
     * {@code ts_ms}) as Kafka Connect's JSON converter writes it, with its {@code schema}/{@code payload}
     * wrapper or without: {@code c}, {@code u} and {@code r} (snapshot reads) upsert the {@code after} row,
     * {@code d} deletes the key of {@code before}; the tombstone after a delete deletes it again (nothing).
     */
    DEBEZIUM
}
