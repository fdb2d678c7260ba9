package dev.lakehouse.ingest.settings;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a pipeline starts reading a partition for which the table holds no offset yet. It applies only while the
 * table has no offsets for the topic at all: a partition added to the topic later starts at its earliest offset,
 * so nothing produced to it is skipped. Once a batch has committed, the table's offsets decide.
 *
 * @param kind earliest, latest or at a timestamp
 * @param timestamp the instant for {@link Kind#TIMESTAMP}, else null
 */
public record StartingPosition(Kind kind, Instant timestamp) {

    /** Starting position kinds. */
    public enum Kind {
        /** The oldest offset still in the partition. */
        EARLIEST,
        /** The partition's end when the pipeline first sees it: only records produced afterwards. */
        LATEST,
        /** The first record whose timestamp is at or after {@link #timestamp()}; the end if there is none. */
        TIMESTAMP
    }

    public StartingPosition {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.TIMESTAMP) != (timestamp != null)) {
            throw new IllegalArgumentException("a timestamp goes with, and only with, kind TIMESTAMP");
        }
    }

    public static StartingPosition earliest() {
        return new StartingPosition(Kind.EARLIEST, null);
    }

    public static StartingPosition latest() {
        return new StartingPosition(Kind.LATEST, null);
    }

    public static StartingPosition at(Instant timestamp) {
        return new StartingPosition(Kind.TIMESTAMP, Objects.requireNonNull(timestamp, "timestamp"));
    }

    /**
     * Parses {@code earliest}, {@code latest} or an ISO-8601 instant such as {@code 2026-01-31T00:00:00Z}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static StartingPosition parse(String text) {
        String value = text.trim();
        switch (value.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return earliest();
            case "latest":
                return latest();
            default:
                try {
                    return at(Instant.parse(value));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a starting position: use earliest, "
                            + "latest or an ISO-8601 instant such as 2026-01-31T00:00:00Z", e);
                }
        }
    }

    @Override
    public String toString() {
        return kind == Kind.TIMESTAMP ? timestamp.toString() : kind.name().toLowerCase(Locale.ROOT);
    }
}
