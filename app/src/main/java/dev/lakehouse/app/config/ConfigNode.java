package dev.lakehouse.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A strict view of one YAML mapping: every key read is remembered, and {@link #finish()} reports the keys nobody
 * read as unknown (with the closest known key as a hint). Problems are collected, not thrown, so the user sees
 * all of them at once; each names its full key path.
 */
final class ConfigNode {


    private final String path;
    private final JsonNode node;
    private final List<String> problems;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigNode(String path, JsonNode node, List<String> problems) {
        this.path = path;
        this.node = node;
        this.problems = problems;
        if (node != null && !node.isObject() && !node.isNull()) {
            problems.add(path + ": expected a mapping of keys, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
    }

    String path() {
        return path;
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        return node != null && node.isObject() && node.has(key) && !node.get(key).isNull();
    }

    private JsonNode raw(String key) {
        known.add(key);
        return node != null && node.isObject() ? node.get(key) : null;
    }

    void problem(String key, String message) {
        problems.add(pathOf(key) + ": " + message);
    }

    Optional<String> string(String key) {
        JsonNode value = raw(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isValueNode()) {
            problem(key, "expected a single value, got a " + value.getNodeType().toString().toLowerCase(Locale.ROOT));
            return Optional.empty();
        }
        String text = value.asText().trim();
        if (text.isEmpty()) {
            problem(key, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    String requiredString(String key, String hint) {
        Optional<String> value = string(key);
        if (value.isEmpty() && !has(key)) {
            problem(key, "is required: " + hint);
        }
        return value.orElse(null);
    }

    <T> T parsed(String key, T defaultValue, String expected, Function<String, T> parser) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            return parser.apply(text.get());
        } catch (RuntimeException e) {
            problem(key, "'" + text.get() + "' is not " + expected);
            return defaultValue;
        }
    }

    boolean bool(String key, boolean defaultValue) {
        return parsed(key, defaultValue, "true or false", text -> {
            if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(text);
            }
            return Boolean.parseBoolean(text);
        });
    }

    long positiveLong(String key, long defaultValue) {
        long value = parsed(key, defaultValue, "a whole number", Long::parseLong);
        if (value < 1) {
            problem(key, "must be at least 1, got " + value);
        }
        return value;
    }

    Duration duration(String key, Duration defaultValue) {
        Duration value = parsed(key, defaultValue, "a duration such as 500ms, 30s, 5m, 1h or 7d", Units::parseDuration);
        if (value != null && (value.isZero() || value.isNegative())) {
            problem(key, "must be positive");
        }
        return value;
    }

    long bytes(String key, long defaultValue) {
        long value = parsed(key, defaultValue, "a size such as 1048576, 64KB, 128MB or 1GB", Units::parseSize);
        if (value < 1) {
            problem(key, "must be positive");
        }
        return value;
    }

    <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().replace('_', '-').equalsIgnoreCase(text.get())) {
                return constant;
            }
        }
        List<String> accepted = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            accepted.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        problem(key, "'" + text.get() + "' is not one of " + String.join(", ", accepted));
        return defaultValue;
    }

    List<String> stringList(String key) {
        JsonNode value = raw(key);
        List<String> list = new ArrayList<>();
        if (value == null || value.isNull()) {
            return list;
        }
        if (value.isValueNode()) {
            for (String part : value.asText().split(",")) {
                if (!part.isBlank()) {
                    list.add(part.trim());
                }
            }
            return list;
        }
        if (!value.isArray()) {
            problem(key, "expected a list");
            return list;
        }
        for (JsonNode element : value) {
            if (!element.isValueNode() || element.asText().isBlank()) {
                problem(key, "every element must be a non-empty value");
            } else {
                list.add(element.asText().trim());
            }
        }
        return list;
    }

    /** A free-form mapping of strings (passed through to Kafka, Hadoop or table properties). */
    Map<String, String> stringMap(String key) {
        JsonNode value = raw(key);
        Map<String, String> map = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            return map;
        }
        if (!value.isObject()) {
            problem(key, "expected a mapping of keys to values");
            return map;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isValueNode()) {
                problems.add(pathOf(key) + "." + entry.getKey() + ": expected a single value");
            } else {
                map.put(entry.getKey(), entry.getValue().asText());
            }
        }
        return map;
    }

    ConfigNode child(String key) {
        return new ConfigNode(pathOf(key), raw(key), problems);
    }

    List<ConfigNode> children(String key) {
        JsonNode value = raw(key);
        List<ConfigNode> list = new ArrayList<>();
        if (value == null || value.isNull()) {
            return list;
        }
        if (!value.isArray()) {
            problem(key, "expected a list");
            return list;
        }
        for (int i = 0; i < value.size(); i++) {
            list.add(new ConfigNode(pathOf(key) + "[" + i + "]", value.get(i), problems));
        }
        return list;
    }

    /** Reports every key of this mapping that no reader asked for. Call after reading all keys. */
    void finish() {
        if (node == null || !node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                String hint = closest(key).map(k -> " (did you mean '" + k + "'?)").orElse("");
                problems.add(pathOf(key) + ": unknown key" + hint + "; known keys here: " + String.join(", ", known));
            }
        }
    }

    private Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(key.toLowerCase(Locale.ROOT), candidate);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
