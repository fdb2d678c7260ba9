package dev.lakehouse.table;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.table.delta.DeltaLogJson;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * How far back an insert-only merge ({@code table.mode: dedupe}) looks for an earlier row of a key: a row is a copy
 * of the table's row of its key only if that row's time (a timestamp or date column) is at most {@code within}
 * before its own. Files whose statistics say their newest time is older than the batch's oldest time minus
 * {@code within} are not read at all, so deduplication costs what the horizon holds, not what the table holds.
 *
 * <p>Rows whose time is null never count as copies (the pipeline dead-letters such records before they reach a
 * merge). A file without statistics of the column is read. Times compare in microseconds; a timestamp statistic
 * (written in milliseconds, possibly truncated by another writer) is taken a millisecond later, so a file is never
 * skipped that may hold a row within the horizon. Immutable.
 *
 * @param timeColumn a top-level timestamp (milliseconds or microseconds) or date column
 * @param within the horizon; positive
 */
public record DedupeHorizon(String timeColumn, Duration within) {

    /** @throws IllegalArgumentException if {@code within} is not positive */
    public DedupeHorizon {
        Objects.requireNonNull(timeColumn, "timeColumn");
        if (within == null || within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("a dedupe horizon must be positive, got " + within);
        }
    }

    /**
     * Checks that the column is one a horizon can be measured on in a table of this schema.
     *
     * @throws IllegalArgumentException naming the column and its type otherwise
     */
    void checkColumn(Schema table, String location) {
        Schema.Field field = table.getField(timeColumn);
        if (field == null) {
            throw new IllegalArgumentException("dedupe time column '" + timeColumn + "' is not a column of "
                    + location + " (its columns: " + table.getFields().stream().map(Schema.Field::name).toList()
                    + "); fix table.dedupe-time-column");
        }
        if (unitOf(nonNull(field.schema())) == null) {
            throw new IllegalArgumentException("dedupe time column '" + timeColumn + "' of " + location + " is a "
                    + nonNull(field.schema()) + ", not a timestamp or a date; name such a column in "
                    + "table.dedupe-time-column");
        }
    }

    /** The row's time in microseconds since the epoch, or null when the row has none. */
    Long micros(GenericRecord row) {
        Schema.Field field = row.getSchema().getField(timeColumn);
        Object value = field == null ? null : row.get(field.pos());
        if (!(value instanceof Number number)) {
            return null;
        }
        TimeUnit unit = unitOf(nonNull(field.schema()));
        return unit == null ? null : unit.toMicros(number.longValue());
    }

    /**
     * The earliest time a table row may have and still make one of these rows a copy: the oldest row's time minus
     * the horizon; {@link Long#MAX_VALUE} when no row has a time (no table row can then be a copy).
     */
    long since(Collection<GenericRecord> rows) {
        long oldest = Long.MAX_VALUE;
        for (GenericRecord row : rows) {
            Long time = row == null ? null : micros(row);
            if (time != null) {
                oldest = Math.min(oldest, time);
            }
        }
        return oldest == Long.MAX_VALUE ? oldest : oldest - within.toNanos() / 1_000;
    }

    /** Whether a table row of time {@code tableRowMicros} (null: none) makes a row of time {@code rowMicros} a copy. */
    boolean makesCopy(Long tableRowMicros, Long rowMicros) {
        return tableRowMicros != null && rowMicros != null && tableRowMicros >= rowMicros - within.toNanos() / 1_000;
    }

    /** Whether a file with these statistics may hold a row at or after {@code sinceMicros}. */
    boolean mayHoldSince(String statsJson, long sinceMicros) {
        if (sinceMicros == Long.MIN_VALUE || statsJson == null || statsJson.isEmpty()) {
            return true;
        }
        JsonNode stats = DeltaLogJson.readTree(statsJson);
        JsonNode max = stats.path("maxValues").path(timeColumn);
        if (!max.isTextual()) {
            // Every time null: nothing in the file can be a copy. Else no statistic, or one of another form: read it.
            JsonNode nulls = stats.path("nullCount").path(timeColumn);
            return !(nulls.isIntegralNumber() && nulls.asLong() == stats.path("numRecords").asLong(-1));
        }
        try {
            String text = max.asText();
            long newest;
            if (text.length() == 10) {
                newest = TimeUnit.DAYS.toMicros(LocalDate.parse(text).toEpochDay() + 1) - 1; // the day's end
            } else {
                OffsetDateTime time = OffsetDateTime.parse(text);
                newest = TimeUnit.SECONDS.toMicros(time.toEpochSecond()) + time.getNano() / 1_000 + 1_000;
            }
            return newest >= sinceMicros;
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    private static TimeUnit unitOf(Schema type) {
        LogicalType logical = type.getLogicalType();
        if (logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.LocalTimestampMillis) {
            return TimeUnit.MILLISECONDS;
        }
        if (logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.LocalTimestampMicros) {
            return TimeUnit.MICROSECONDS;
        }
        return logical instanceof LogicalTypes.Date ? TimeUnit.DAYS : null;
    }

    private static Schema nonNull(Schema type) {
        if (!type.isUnion()) {
            return type;
        }
        return type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(type);
    }
}
