package dev.lakehouse.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Facts about a table's sources ({@link LakeTable#recordSourceFacts}) in {@code <table>/_lakehouse/source-facts.json}:
 * a JSON object of string keys to string values, read, merged and written whole by the table's one writer process
 * at a time (instance lock or writer lease).
 */
final class SourceFactsFile {

    static final String FILE = "_lakehouse/source-facts.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Configuration conf;
    private final Path file;

    SourceFactsFile(Configuration conf, Path tableRoot) {
        this.conf = conf;
        this.file = new Path(tableRoot, FILE);
    }

    synchronized Map<String, String> read(Collection<String> keys) {
        Map<String, String> all = readAll();
        Map<String, String> found = new LinkedHashMap<>();
        keys.forEach(key -> {
            String value = all.get(key);
            if (value != null) {
                found.put(key, value);
            }
        });
        return found;
    }

    synchronized void record(Map<String, String> facts) {
        Map<String, String> all = readAll();
        if (all.entrySet().containsAll(facts.entrySet())) {
            return;
        }
        all.putAll(facts);
        ObjectNode node = JSON.createObjectNode();
        all.forEach(node::put);
        try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
            out.write(JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record source facts in " + file + ": " + e.getMessage(), e);
        }
    }

    private Map<String, String> readAll() {
        Map<String, String> all = new LinkedHashMap<>();
        try {
            FileSystem fs = file.getFileSystem(conf);
            JsonNode node;
            try (InputStream in = fs.open(file)) {
                node = JSON.readTree(in);
            }
            node.fields().forEachRemaining(e -> all.put(e.getKey(), e.getValue().asText()));
        } catch (FileNotFoundException e) {
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read source facts from " + file + ": " + e.getMessage(), e);
        }
        return all;
    }
}
