package dev.lakehouse.table.delta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How values must be spelled for delta-standalone's log JSON, and read back from it.
 *
 * <p>delta-standalone writes operation parameters and {@code add.stats} into the commit JSON verbatim and reads
 * them back as strings, so each must be passed as a JSON string literal; structured values (lists, offsets) are
 * JSON text inside that string, as Spark writes {@code partitionBy}. Anything else commits fine but makes the log
 * unreadable.
 */
public final class DeltaLogJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeltaLogJson() {
    }

    /** An operation parameter value: {@code value} as a JSON string literal. */
    static String parameter(String value) {
        return json(value);
    }

    /** {@code add.stats} as delta-standalone needs it: the stats document as a JSON string literal, or null. */
    static String statsValue(String statsJson) {
        return statsJson == null ? null : json(statsJson);
    }

    /** Any value as JSON text. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A parameter read back from the log: the string inside a JSON string literal, anything else as it is. */
    static String unquote(String value) {
        if (value == null || !value.startsWith("\"")) {
            return value;
        }
        try {
            JsonNode node = JSON.readTree(value);
            return node.isTextual() ? node.asText() : value;
        } catch (JsonProcessingException e) {
            return value;
        }
    }

    /** {@code numRecords} of an {@code add.stats} document, or -1 when absent or unreadable. */
    static long numRecords(String stats) {
        if (stats == null) {
            return -1;
        }
        try {
            return JSON.readTree(stats).path("numRecords").asLong(-1);
        } catch (JsonProcessingException e) {
            return -1;
        }
    }

    /** A JSON document read from a stream (such as {@code _last_checkpoint}). */
    static JsonNode read(java.io.InputStream in) throws java.io.IOException {
        return JSON.readTree(in);
    }

    /** A file's statistics as JSON; an empty object when they do not parse (no statistic is then known). */
    public static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }
}
