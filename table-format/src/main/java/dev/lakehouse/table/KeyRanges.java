package dev.lakehouse.table;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.table.delta.DeltaLogJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which files can hold one of a set of keys, from the files' column statistics: a file whose range of a key
 * column excludes every changed key's value there is not read. Longs and strings are compared; other key types,
 * and files without statistics, are always read.
 */
final class KeyRanges {

    private final List<String> keyColumns;
    private final List<TreeSet<Object>> valuesPerColumn = new ArrayList<>();

    /**
     * @param keyColumns the key's columns
     * @param keys the keys, each its columns' values in the form {@link KeyedMerge} compares them by (longs, strings)
     */
    KeyRanges(List<String> keyColumns, Set<List<Object>> keys) {
        this.keyColumns = keyColumns;
        for (int c = 0; c < keyColumns.size(); c++) {
            TreeSet<Object> values = new TreeSet<>(KeyRanges::compare);
            for (List<Object> key : keys) {
                Object value = key.get(c);
                if (value instanceof Long || value instanceof String) {
                    values.add(value);
                } else {
                    values = null;
                    break;
                }
            }
            valuesPerColumn.add(values);
        }
    }

    /** Whether a file with these statistics (its {@code stats} JSON; null or empty: none) may hold a key. */
    boolean mayHold(String statsJson) {
        if (statsJson == null || statsJson.isEmpty()) {
            return true;
        }
        JsonNode stats = DeltaLogJson.readTree(statsJson);
        for (int c = 0; c < keyColumns.size(); c++) {
            TreeSet<Object> values = valuesPerColumn.get(c);
            if (values == null || values.isEmpty()) {
                continue;
            }
            JsonNode min = stats.path("minValues").path(keyColumns.get(c));
            JsonNode max = stats.path("maxValues").path(keyColumns.get(c));
            Object low = bound(min, values.first());
            Object high = bound(max, values.first());
            // Strings' minimum is a prefix of the real one (so still a lower bound); a long maximum is left out.
            Object first = low == null ? values.first() : values.ceiling(low);
            if (first == null || (high != null && compare(first, high) > 0)) {
                return false;
            }
        }
        return true;
    }

    /** A statistic as the type of the key's values, or null when absent or of another type. */
    private static Object bound(JsonNode stat, Object like) {
        if (like instanceof Long && stat.isIntegralNumber()) {
            return stat.asLong();
        }
        if (like instanceof String && stat.isTextual()) {
            return stat.asText();
        }
        return null;
    }

    /** Longs by value; strings by code point, as Parquet and Delta order them (UTF-8 bytes). */
    private static int compare(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        String s = (String) a;
        String t = (String) b;
        int i = 0;
        int j = 0;
        while (i < s.length() && j < t.length()) {
            int p = s.codePointAt(i);
            int q = t.codePointAt(j);
            if (p != q) {
                return Integer.compare(p, q);
            }
            i += Character.charCount(p);
            j += Character.charCount(q);
        }
        return Integer.compare(s.length() - i, t.length() - j);
    }
}
