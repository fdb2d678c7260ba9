package dev.lakehouse.table.delta;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.SourceFact;
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
 * Facts about a table's sources ({@link LakeTable#recordSourceFacts}): string keys to string values, kept under
 * {@code <table>/_lakehouse/source-facts/} as files that are written once and never changed, each holding the facts
 * one {@link #record} added. Several processes may record at the same moment (each for the partitions it was just
 * assigned) without losing each other's facts: nothing is read, merged and written back. Reading merges every file
 * in name order (a name starts with its write time), so for a key written twice the later value wins; the single
 * {@code source-facts.json} of earlier releases is read first.
 */
public final class SourceFactsFile {

    /** Where earlier releases kept all facts in one file, read, merged and written whole. */
    public static final String FILE = "_lakehouse/source-facts.json";
    public static final String DIRECTORY = "_lakehouse/source-facts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Configuration conf;
    private final Path legacyFile;
    private final Path directory;
    private final java.time.Clock clock;

    SourceFactsFile(Configuration conf, Path tableRoot, java.time.Clock clock) {
        this.conf = conf;
        this.legacyFile = new Path(tableRoot, FILE);
        this.directory = new Path(tableRoot, DIRECTORY);
        this.clock = clock;
    }

    synchronized Map<SourceFact, String> read(Collection<SourceFact> facts) {
        Map<String, String> all = readAll();
        Map<SourceFact, String> found = new LinkedHashMap<>();
        facts.forEach(fact -> {
            String value = all.get(fact.storageKey());
            if (value != null) {
                found.put(fact, value);
            }
        });
        return found;
    }

    /** Records the facts not already recorded with these values, in a file of their own (never overwritten). */
    synchronized void record(Map<SourceFact, String> facts) {
        Map<String, String> all = readAll();
        Map<String, String> fresh = new LinkedHashMap<>();
        facts.forEach((fact, value) -> {
            if (!value.equals(all.get(fact.storageKey()))) {
                fresh.put(fact.storageKey(), value);
            }
        });
        if (fresh.isEmpty()) {
            return;
        }
        ObjectNode node = JSON.createObjectNode();
        fresh.forEach(node::put);
        String name = String.format("%020d-%s.json", clock.millis(), java.util.UUID.randomUUID());
        Path file = new Path(directory, name);
        // Written under a name readers skip, then renamed: a reader never sees half a file (an object store's
        // upload appears whole anyway).
        Path partial = new Path(directory, "." + name + ".partial");
        try {
            FileSystem fs = file.getFileSystem(conf);
            try (OutputStream out = fs.create(partial, false)) {
                out.write(JSON.writeValueAsBytes(node));
            }
            if (!fs.rename(partial, file)) {
                throw new IOException("rename of " + partial + " to " + file + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record source facts in " + file + ": " + e.getMessage(), e);
        }
    }

    private Map<String, String> readAll() {
        Map<String, String> all = new LinkedHashMap<>();
        try {
            FileSystem fs = directory.getFileSystem(conf);
            readInto(fs, legacyFile, all);
            org.apache.hadoop.fs.FileStatus[] files;
            try {
                files = fs.listStatus(directory);
            } catch (FileNotFoundException e) {
                return all;
            }
            java.util.Arrays.sort(files, java.util.Comparator.comparing(f -> f.getPath().getName()));
            for (org.apache.hadoop.fs.FileStatus status : files) {
                if (status.getPath().getName().endsWith(".json")) {
                    readInto(fs, status.getPath(), all);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read source facts from " + directory + ": " + e.getMessage(), e);
        }
        return all;
    }

    private static void readInto(FileSystem fs, Path file, Map<String, String> into) throws IOException {
        JsonNode node;
        try (InputStream in = fs.open(file)) {
            node = JSON.readTree(in);
        } catch (FileNotFoundException e) {
            return;
        }
        node.fields().forEachRemaining(e -> into.put(e.getKey(), e.getValue().asText()));
    }
}
