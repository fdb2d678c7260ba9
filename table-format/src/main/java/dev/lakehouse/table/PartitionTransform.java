package dev.lakehouse.table;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How a partition column's value is derived from a record field.
 *
 * <p>Time transforms take a {@code timestamp-millis}, {@code timestamp-micros} or {@code date} field and use UTC.
 */
public enum PartitionTransform {
    /** The field's own value (a primitive field: string, int, long, boolean, date, enum). */
    IDENTITY,
    /** {@code yyyy} as an integer column. */
    YEAR,
    /** {@code yyyy-MM} as a string column. */
    MONTH,
    /** The calendar day as a date column. */
    DAY,
    /** {@code yyyy-MM-dd-HH} as a string column. */
    HOUR;

    private static final DateTimeFormatter MONTH_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT);
    private static final DateTimeFormatter HOUR_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Parses {@code identity}, {@code year}, {@code month}, {@code day}, {@code hour} (case-insensitive). */
    public static PartitionTransform parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown partition transform '" + text
                    + "'; use identity, year, month, day or hour", e);
        }
    }

    /**
     * The partition value as Delta stores it in {@code partitionValues}, from an epoch-based time value.
     *
     * @param epochMicros the field value converted to microseconds since the epoch
     */
    public String fromEpochMicros(long epochMicros) {
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
                Math.floorMod(epochMicros, 1_000_000L) * 1_000L);
        LocalDate day = LocalDate.ofInstant(instant, ZoneOffset.UTC);
        return switch (this) {
            case YEAR -> Integer.toString(day.getYear());
            case MONTH -> MONTH_FORMAT.format(day);
            case DAY -> day.toString();
            case HOUR -> HOUR_FORMAT.format(instant);
            case IDENTITY -> throw new IllegalStateException("identity has no time derivation");
        };
    }
}
