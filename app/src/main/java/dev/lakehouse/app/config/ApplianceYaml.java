package dev.lakehouse.app.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a configuration file for the appliance, for the code that writes one (the demo, the benchmarks, the tests):
 * keys by their dotted path as the configuration reference names them ({@code source.bootstrap-servers}; below
 * {@code consumer-properties}, {@code producer-properties}, {@code hadoop} and {@code properties} the rest of the
 * path is one key, {@code source.consumer-properties.sasl.jaas.config}), values quoted as YAML needs. It does not validate: {@link ConfigLoader} does, when the appliance reads the file.
 *
 * <pre>{@code
 * ApplianceYaml yaml = new ApplianceYaml();
 * yaml.pipeline("orders").set("source.bootstrap-servers", "kafka:9092").set("source.topics", List.of("orders"))
 *         .set("registry.url", "http://registry:8081").set("table.location", "file:///data/orders");
 * yaml.console("port", 0).write(Path.of("lakehouse.yaml"));
 * }</pre>
 */
public final class ApplianceYaml {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final List<Pipeline> pipelines = new ArrayList<>();
    private final Map<String, Object> console = new LinkedHashMap<>();

    /** Adds a pipeline named {@code name}; set its keys on what this returns. */
    public Pipeline pipeline(String name) {
        Pipeline pipeline = new Pipeline(name);
        pipelines.add(pipeline);
        return pipeline;
    }

    /** Sets a key of {@code console} ({@code port}, {@code host}, ...). */
    public ApplianceYaml console(String path, Object value) {
        put(console, path, value);
        return this;
    }

    /** The configuration file's text. */
    public String render() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("pipelines", pipelines.stream().map(p -> p.keys).toList());
        if (!console.isEmpty()) {
            root.put("console", console);
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@link #render()} to {@code file}, after {@code comment} lines (each prefixed with {@code # }). */
    public Path write(Path file, String... comment) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : comment) {
            text.append("# ").append(line).append('\n');
        }
        Files.writeString(file, text.append(render()).toString());
        return file;
    }

    /** One pipeline's keys. */
    public final class Pipeline {

        private final Map<String, Object> keys = new LinkedHashMap<>();

        private Pipeline(String name) {
            keys.put("name", name);
        }

        /**
         * Sets the key at a dotted path below the pipeline ({@code table.partition-by}); a value is a string, a
         * number, a boolean, a list or a map of those; null removes the key.
         */
        public Pipeline set(String path, Object value) {
            put(keys, path, value);
            return this;
        }

        /** The configuration this pipeline belongs to, to add more. */
        public ApplianceYaml and() {
            return ApplianceYaml.this;
        }
    }

    /** Sections whose keys are another system's (Kafka's, Hadoop's, Delta's) and contain dots themselves. */
    private static final java.util.Set<String> PASSED_THROUGH = java.util.Set.of("consumer-properties",
            "producer-properties", "hadoop", "properties");

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> map, String path, Object value) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            if (value == null) {
                map.remove(path);
            } else {
                map.put(path, value);
            }
            return;
        }
        String section = path.substring(0, dot);
        Object child = map.computeIfAbsent(section, k -> new LinkedHashMap<String, Object>());
        if (!(child instanceof Map)) {
            throw new IllegalArgumentException(section + " is a value, not a section");
        }
        String rest = path.substring(dot + 1);
        if (PASSED_THROUGH.contains(section)) {
            ((Map<String, Object>) child).put(rest, value); // "sasl.jaas.config" is one key there
        } else {
            put((Map<String, Object>) child, rest, value);
        }
    }
}
