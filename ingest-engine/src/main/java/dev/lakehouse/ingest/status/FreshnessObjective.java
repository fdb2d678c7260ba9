package dev.lakehouse.ingest.status;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table's freshness objective ({@code table.freshness-objective: "95% within 10s"}): the share of records that
 * must be queryable in the table within a time of their Kafka timestamp, judged over a sliding window (default one
 * hour). A record counts as fresh when the commit that made it visible came at most {@link #within()} after its
 * timestamp; dead letters count like rows (they are done with when their batch commits).
 *
 * @param percent the share of records that must be fresh, above 0 and below 100 (100 % leaves no error budget)
 * @param within how soon after its timestamp a record must be committed to count as fresh
 * @param window the sliding window compliance is judged over
 */
public record FreshnessObjective(double percent, Duration within, Duration window) {

    /** The window when none is configured. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

    private static final Pattern TEXT = Pattern.compile(
            "\\s*(\\d{1,3}(?:\\.\\d{1,4})?)\\s*%\\s+within\\s+(\\d{1,9})\\s*(ms|s|m|h)\\s*", Pattern.CASE_INSENSITIVE);

    public FreshnessObjective {
        Objects.requireNonNull(within, "within");
        Objects.requireNonNull(window, "window");
        if (!(percent > 0 && percent < 100)) {
            throw new IllegalArgumentException("the share of fresh records must be above 0 % and below 100 %, got "
                    + percent + " % (100 % would leave no error budget)");
        }
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("'within' must be positive, got " + within);
        }
        if (window.compareTo(within) <= 0) {
            throw new IllegalArgumentException("the window (" + window + ") must be longer than 'within' ("
                    + within + ")");
        }
    }

    /**
     * Reads {@code "<percent>% within <number><ms|s|m|h>"}, such as {@code "95% within 10s"} or
     * {@code "99.9% within 2m"}.
     *
     * @throws IllegalArgumentException saying what the text should look like
     */
    public static FreshnessObjective parse(String text, Duration window) {
        Matcher m = TEXT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a freshness objective; write it as "
                    + "\"95% within 10s\" (a percentage, 'within', and a time in ms, s, m or h)");
        }
        long amount = Long.parseLong(m.group(2));
        Duration within = switch (m.group(3).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        return new FreshnessObjective(Double.parseDouble(m.group(1)), within, window);
    }

    /** The share of records that may be late: the error budget, as a fraction (0.05 for 95 %). */
    public double errorBudget() {
        return (100 - percent) / 100;
    }

    /** The objective as written, for messages and the console ({@code "95% within 10s"}). */
    public String describe() {
        String share = percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent);
        long millis = within.toMillis();
        String time = millis % 3_600_000 == 0 ? millis / 3_600_000 + "h" : millis % 60_000 == 0 ? millis / 60_000 + "m"
                : millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        return share + "% within " + time;
    }
}
