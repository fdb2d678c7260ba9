package dev.lakehouse.ingest;

import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time a record is judged by for freshness ({@code table.freshness-event-time}): its Kafka timestamp by default,
 * or the value of a top-level timestamp column of its row, so a table's freshness and its objective say how soon an
 * <em>event</em> became queryable, whatever delayed it before Kafka. A row whose column is null is not judged;
 * dead letters and deletions, which have no row, are judged by their Kafka timestamp. The column's position and
 * unit are looked up once per row schema. Not thread-safe: the poll thread uses it.
 */
final class EventTimes {

    private static final Logger LOG = LoggerFactory.getLogger(EventTimes.class);

    /** How to read the column in rows of one schema: its position and how many of its units make a millisecond. */
    private record Column(int position, long unitsPerMilli) {
    }

    private static final Column ABSENT = new Column(-1, 1);

    private final String pipeline;
    private final String column;
    private final Map<Schema, Column> bySchema = new IdentityHashMap<>();

    /**
     * @param column the event-time column, or null to judge records by their Kafka timestamp
     */
    EventTimes(String pipeline, String column) {
        this.pipeline = pipeline;
        this.column = column;
    }

    /**
     * The record's time for freshness, in epoch milliseconds; negative when it has none (then it is not judged).
     *
     * @param kafkaTimestamp the record's Kafka timestamp
     */
    long of(RecordConverter.Outcome outcome, long kafkaTimestamp) {
        if (column == null || !(outcome instanceof RecordConverter.Outcome.Row row)) {
            return kafkaTimestamp;
        }
        Column at = bySchema.computeIfAbsent(row.schema(), this::locate);
        if (at == ABSENT) {
            return -1;
        }
        Object value = row.row().get(at.position());
        if (value instanceof Long units) {
            return Math.floorDiv(units, at.unitsPerMilli());
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        return -1;
    }

    private Column locate(Schema schema) {
        Schema.Field field = schema.getField(column);
        if (field == null) {
            LOG.warn("pipeline {}: the freshness event-time column '{}' is not in the records' schema {}: their "
                    + "freshness is not judged", pipeline, column, schema.getFullName());
            return ABSENT;
        }
        Schema type = field.schema();
        if (type.getType() == Schema.Type.UNION) {
            type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(type);
        }
        LogicalType logical = type.getLogicalType();
        if (type.getType() != Schema.Type.LONG) {
            LOG.warn("pipeline {}: the freshness event-time column '{}' is a {}, not a timestamp: freshness is not "
                    + "judged", pipeline, column, type);
            return ABSENT;
        }
        boolean micros = logical instanceof LogicalTypes.TimestampMicros
                || logical instanceof LogicalTypes.LocalTimestampMicros;
        boolean nanos = logical instanceof LogicalTypes.TimestampNanos
                || logical instanceof LogicalTypes.LocalTimestampNanos;
        return new Column(field.pos(), micros ? 1_000 : nanos ? 1_000_000 : 1);
    }
}
