package dev.lakehouse.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration file's two ways of taking values from the environment, so that containers need no edited
 * file and secrets need not be written into one.
 *
 * <ol>
 * <li><b>Placeholders</b> in the file: {@code ${NAME}} is replaced by the variable's value, {@code ${NAME:-text}}
 * by the value or {@code text} when unset or empty; {@code $${} writes a literal {@code ${}. A placeholder of an
 * unset variable without a default is an error naming it.</li>
 * <li><b>Overrides</b> of any key: a variable {@code LAKEHOUSE__<path>} sets the key at {@code <path>}, whose
 * segments are separated by double underscores. A segment is the key in upper case with {@code -} and {@code .}
 * written as {@code _}; a list element is its index or, for pipelines and users, its {@code name}. Examples:
 * {@code LAKEHOUSE__CONSOLE__PORT=9090}, {@code LAKEHOUSE__PIPELINES__ORDERS__SOURCE__BOOTSTRAP_SERVERS=kafka:9092},
 * {@code LAKEHOUSE__PIPELINES__0__TABLE__HADOOP__FS_S3A_ENDPOINT=http://minio:9000}. A segment names an existing
 * key when one matches; a new key under {@code consumer-properties}, {@code hadoop} or {@code properties} gets
 * dots ({@code FS_S3A_ACCESS_KEY} → {@code fs.s3a.access.key}), elsewhere dashes. Values are read as YAML, so
 * {@code [a, b]} is a list. Overrides win over the file.</li>
 * </ol>
 */
public final class EnvironmentOverrides {

    public static final String PREFIX = "LAKEHOUSE__";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$(\\$?)\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    /** Maps whose keys are passed through (Kafka, Hadoop, Delta properties): new keys get dots. */
    private static final Set<String> PASS_THROUGH_MAPS = Set.of("consumer-properties", "hadoop", "properties");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private EnvironmentOverrides() {
    }

    /**
     * Replaces placeholders in the file's text.
     *
     * @param problems receives one line per unset variable
     */
    static String substitute(String text, Map<String, String> env, List<String> problems) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (!matcher.group(1).isEmpty()) {
                replacement = matcher.group().substring(1); // $${X} -> ${X}
            } else {
                String value = env.get(matcher.group(2));
                if (value != null && !value.isEmpty()) {
                    replacement = value;
                } else if (matcher.group(3) != null) {
                    replacement = matcher.group(3);
                } else {
                    problems.add("environment variable " + matcher.group(2) + " is not set (used as ${"
                            + matcher.group(2) + "} at line " + lineOf(text, matcher.start())
                            + "); set it, or give a default: ${" + matcher.group(2) + ":-value}");
                    replacement = "";
                }
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * Applies every {@code LAKEHOUSE__} variable to the parsed file, in name order.
     *
     * @param problems receives one line per variable that cannot be applied
     * @return the root, possibly a new one if the file was empty
     */
    static JsonNode apply(JsonNode root, Map<String, String> env, List<String> problems) {
        ObjectNode top = root instanceof ObjectNode object ? object : YAML.createObjectNode();
        for (Map.Entry<String, String> variable : new TreeMap<>(env).entrySet()) {
            if (!variable.getKey().startsWith(PREFIX) || variable.getKey().length() == PREFIX.length()) {
                continue;
            }
            String[] segments = variable.getKey().substring(PREFIX.length()).split("__");
            try {
                set(top, segments, value(variable.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(variable.getKey() + ": " + e.getMessage());
            }
        }
        return top;
    }

    private static void set(ObjectNode top, String[] segments, JsonNode value) {
        JsonNode node = top;
        String parentKey = "";
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i].toLowerCase(Locale.ROOT);
            boolean last = i == segments.length - 1;
            if (node instanceof ArrayNode array) {
                int index = elementIndex(array, segment);
                if (last) {
                    array.set(index, value);
                    return;
                }
                node = array.get(index);
                continue;
            }
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("'" + segment + "' is below a value that is not a mapping");
            }
            String key = existingKey(object, segment);
            if (key == null) {
                key = PASS_THROUGH_MAPS.contains(parentKey) ? segment.replace('_', '.') : segment.replace('_', '-');
            }
            if (last) {
                object.set(key, value);
                return;
            }
            JsonNode child = object.get(key);
            if (child == null || child.isNull()) {
                boolean nextIsIndex = segments[i + 1].matches("\\d+");
                child = nextIsIndex ? object.putArray(key) : object.putObject(key);
            }
            parentKey = key;
            node = child;
        }
    }

    private static int elementIndex(ArrayNode array, String segment) {
        if (segment.matches("\\d+")) {
            int index = Integer.parseInt(segment);
            if (index > array.size()) {
                throw new IllegalArgumentException("index " + index + " is past the end of a list of " + array.size());
            }
            if (index == array.size()) {
                array.addObject();
            }
            return index;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode name = array.get(i).get("name");
            if (name != null && normalize(name.asText()).equals(segment)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no list element named '" + segment + "' (use its name or index)");
    }

    private static String existingKey(ObjectNode object, String segment) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (normalize(key).equals(segment)) {
                return key;
            }
        }
        return null;
    }

    private static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    private static JsonNode value(String text) {
        try {
            JsonNode parsed = YAML.readTree(text);
            // Mappings and lists as YAML; anything else stays the text it was (ports, hashes, URLs alike).
            return parsed != null && (parsed.isArray() || parsed.isObject()) ? parsed : TextNode.valueOf(text);
        } catch (Exception e) {
            return TextNode.valueOf(text);
        }
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
