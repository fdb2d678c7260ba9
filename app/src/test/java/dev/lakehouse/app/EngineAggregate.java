package dev.lakehouse.app;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;

/**
 * One aggregate an engine computes over a table of the type-matrix test, in Spark's and in DuckDB's SQL, and the
 * value computed from the records produced. Expected {@link Long}s and {@link BigDecimal}s must match exactly,
 * {@link Double}s to within 10⁻⁶, anything else as text.
 */
record EngineAggregate(String name, String spark, String duckDb, Object expected) {

    /** The select list of the aggregates for {@code engine} ("spark" or "duckdb"), each named by its name. */
    static String selectList(List<EngineAggregate> aggregates, String engine) {
        List<String> columns = new ArrayList<>();
        for (EngineAggregate aggregate : aggregates) {
            columns.add((engine.equalsIgnoreCase("spark") ? aggregate.spark : aggregate.duckDb) + " AS " + aggregate.name);
        }
        return String.join(",\n       ", columns);
    }

    /** Every aggregate of {@code row} (an engine's answer, values as text) equals its expected value. */
    static void assertAll(String engine, List<EngineAggregate> aggregates, Map<String, String> row) {
        SoftAssertions soft = new SoftAssertions();
        for (EngineAggregate aggregate : aggregates) {
            String actual = row.get(aggregate.name);
            String what = engine + " " + aggregate.name + " (" + (engine.equalsIgnoreCase("spark") ? aggregate.spark
                    : aggregate.duckDb) + ")";
            soft.assertThat(actual).as(what).isNotNull();
            if (actual == null) {
                continue;
            }
            if (aggregate.expected instanceof Double expected) {
                soft.assertThat(Double.parseDouble(actual)).as(what)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
            } else if (aggregate.expected instanceof Long || aggregate.expected instanceof BigDecimal) {
                soft.assertThat(new BigDecimal(actual)).as(what)
                        .isEqualByComparingTo(new BigDecimal(aggregate.expected.toString()));
            } else {
                soft.assertThat(actual).as(what).isEqualTo(String.valueOf(aggregate.expected));
            }
        }
        soft.assertAll();
    }

    /** Collects aggregates, most of them written the same in both dialects. */
    static final class Builder {
        private final String prefix;
        private final List<EngineAggregate> aggregates = new ArrayList<>();

        /** @param prefix put before every name, so the tables' answers can share one Spark row */
        Builder(String prefix) {
            this.prefix = prefix;
        }

        Builder add(String name, String sql, Object expected) {
            return add(name, sql, sql, expected);
        }

        Builder add(String name, String spark, String duckDb, Object expected) {
            aggregates.add(new EngineAggregate(prefix + name, spark, duckDb, expected));
            return this;
        }

        List<EngineAggregate> build() {
            return List.copyOf(aggregates);
        }
    }
}
