package dev.lakehouse.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lakehouse.app.Main;
import dev.lakehouse.app.config.ConfigException;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.config.EffectiveConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The manual is checked against the code: every key of the configuration reference exists and every key the
 * appliance has is in it, with the default the appliance uses; the examples load; every command the README and
 * the manual show answers {@code --help}; every link between the documents leads to a file that exists.
 */
class ManualTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path REFERENCE = ROOT.resolve("docs/configuration.md");
    /** Keys whose values are free-form maps: their own keys are not the appliance's. */
    private static final Set<String> FREE_MAPS = Set.of("consumer-properties", "hadoop", "properties",
            "producer-properties");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void everyKeyOfTheReferenceExistsAndLoadsInTheExamples() throws IOException {
        Map<String, String> reference = referenceTable();
        Set<String> inExamples = new TreeSet<>();
        for (String example : yamlBlocks(Files.readString(REFERENCE))) {
            inExamples.addAll(keyPaths(YAML.readTree(example)));
            List<String> unknown = problems(example).stream().filter(p -> p.contains("unknown key")).toList();
            assertThat(unknown).as("keys of the reference's example that the loader does not know").isEmpty();
        }
        assertThat(reference.keySet()).as("keys in the table that no example shows")
                .allMatch(inExamples::contains);
        assertThat(inExamples).as("keys in the examples that the table lacks").allMatch(reference::containsKey);
    }

    @Test
    void everyKeyTheApplianceHasIsInTheReferenceWithTheDefaultItUses() throws IOException {
        Map<String, String> reference = referenceTable();
        String minimal = """
                pipelines:
                  - name: orders
                    source:
                      bootstrap-servers: kafka:9092
                      topics: [orders]
                    registry:
                      url: http://registry:8081
                    table:
                      location: %s
                console:
                  users:
                    - name: ann
                      password-hash: "%s"
                """.formatted(dir.resolve("orders").toUri(), hash());
        JsonNode effective = YAML.readTree(EffectiveConfig.render(ConfigLoader.parse(minimal, "minimal", dir)));
        Map<String, JsonNode> values = new LinkedHashMap<>();
        collect(effective, "", values);
        for (Map.Entry<String, JsonNode> entry : values.entrySet()) {
            String key = entry.getKey();
            assertThat(reference).as("the reference documents %s", key).containsKey(key);
            String documented = reference.get(key);
            Matcher literal = Pattern.compile("^`([^`]+)`$").matcher(documented);
            if (literal.matches() && !documented.contains("<")) {
                assertThat(normalized(literal.group(1))).as("the documented default of %s", key)
                        .isEqualTo(normalized(entry.getValue().asText()));
            }
        }
    }

    @Test
    void everyCommandTheDocumentsShowAnswersHelp() throws IOException {
        // "lakehouse compact|vacuum ..." and "lakehouse dead-letters list|replay ..." show two commands each.
        Pattern command = Pattern.compile("(?m)^(?:\\$ )?(?:bin/)?lakehouse ([a-z-]+(?:\\|[a-z-]+)?)"
                + "(?: ((?:list|replay)(?:\\|(?:list|replay))?))?");
        Set<List<String>> commands = new java.util.LinkedHashSet<>();
        for (Path doc : documents()) {
            for (String block : codeBlocks(Files.readString(doc))) {
                Matcher m = command.matcher(block);
                while (m.find()) {
                    for (String name : m.group(1).split("\\|")) {
                        if (m.group(2) == null) {
                            commands.add(List.of(name));
                        } else {
                            for (String sub : m.group(2).split("\\|")) {
                                commands.add(List.of(name, sub));
                            }
                        }
                    }
                }
            }
        }
        assertThat(commands).as("commands shown").extracting(c -> c.get(0))
                .contains("run", "validate-config", "demo", "compact", "vacuum", "dead-letters", "hash-password",
                        "generate-orders");
        for (List<String> words : commands) {
            List<String> args = new ArrayList<>(words);
            args.add("--help");
            StringWriter out = new StringWriter();
            CommandLine line = Main.commandLine();
            line.setOut(new PrintWriter(out, true));
            line.setErr(new PrintWriter(out, true));
            assertThat(line.execute(args.toArray(String[]::new))).as("lakehouse %s (%s)", args, out).isZero();
            assertThat(out.toString()).as("help of %s", words).contains("Usage:");
        }
    }

    @Test
    void everyLinkBetweenTheDocumentsLeadsToAFileThatExists() throws IOException {
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
        for (Path doc : documents()) {
            Matcher m = link.matcher(Files.readString(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://")) {
                    continue;
                }
                assertThat(doc.getParent().resolve(target).normalize()).as("link %s in %s", target, doc).exists();
            }
        }
    }

    @Test
    void theReadmeIsAnEntranceNotTheManual() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        assertThat(readme.size()).as("README.md lines").isLessThanOrEqualTo(300);
        assertThat(String.join("\n", readme)).contains("mvn -B -ntp verify")
                .contains("docs/operations.md", "docs/configuration.md", "docs/formats.md",
                        "docs/troubleshooting.md", "docs/benchmarks.md", "docs/DESIGN.md");
    }

    // ---- reading the documents ----------------------------------------------------------------------------------

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (var files = Files.list(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The reference table: key path → its default cell. */
    private static Map<String, String> referenceTable() throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z.\\[\\]-]+)` \\|([^|]*)\\|").matcher(Files.readString(REFERENCE));
        while (row.find()) {
            keys.put(row.group(1), row.group(2).trim());
        }
        assertThat(keys).as("rows of the reference table").hasSizeGreaterThan(50);
        return keys;
    }

    private static List<String> codeBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?s)```[a-z]*\\n(.*?)```").matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static List<String> yamlBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?s)```yaml\\n(.*?)```").matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("YAML examples in the reference").hasSize(2);
        return blocks;
    }

    /** Every key path of a YAML tree, list elements as {@code []}, free-form maps as leaves. */
    private static Set<String> keyPaths(JsonNode node) {
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        collect(node, "", leaves);
        return new TreeSet<>(leaves.keySet());
    }

    private static void collect(JsonNode node, String path, Map<String, JsonNode> leaves) {
        if (node.isObject() && !FREE_MAPS.contains(last(path))) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                collect(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), leaves);
            }
        } else if (node.isArray() && !node.isEmpty() && node.get(0).isObject()) {
            node.forEach(element -> collect(element, path + "[]", leaves));
        } else {
            leaves.putIfAbsent(path, node);
        }
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private List<String> problems(String yaml) throws IOException {
        Files.writeString(dir.resolve("order.avsc"), "{\"type\": \"record\", \"name\": \"Order\", \"fields\": []}");
        try {
            ConfigLoader.parse(yaml, "example", dir, Map.of());
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    /** Durations and sizes as the loader reads them, so {@code 10m} equals {@code PT10M}. */
    private static String normalized(String value) {
        // validate-config adds whether a mode is in effect: "auto (off)".
        String text = value.replaceAll(" \\((on|off)\\)$", "").trim();
        Matcher size = Pattern.compile("^(\\d+)(KB|MB|GB)$").matcher(text);
        if (size.matches()) {
            long unit = switch (size.group(2)) {
                case "KB" -> 1L << 10;
                case "MB" -> 1L << 20;
                default -> 1L << 30;
            };
            return Long.toString(Long.parseLong(size.group(1)) * unit);
        }
        Matcher duration = Pattern.compile("^(\\d+)(ms|s|m|h|d)$").matcher(text);
        if (duration.matches()) {
            long n = Long.parseLong(duration.group(1));
            java.time.Duration d = switch (duration.group(2)) {
                case "ms" -> java.time.Duration.ofMillis(n);
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                case "h" -> java.time.Duration.ofHours(n);
                default -> java.time.Duration.ofDays(n);
            };
            return d.toString();
        }
        return text;
    }

    private static String hash() {
        return dev.lakehouse.console.PasswordHash.hash("correct horse battery".toCharArray());
    }
}
