package dev.lakehouse.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows a local Delta table's log from outside the writing process, cheaply: each new {@code N.json} is read
 * once for its {@code txn} actions (the ingest engine's per-partition next offsets), and the moment it was first
 * seen is the moment its rows became readable, to within the polling interval.
 */
final class DeltaLogTail {

    private static final Pattern TXN = Pattern.compile("\"txn\":\\{\"appId\":\"([^\"]+)\",\"version\":(\\d+)");

    /** One commit: when it was seen and the next offsets it recorded. */
    record Commit(long version, long seenNanos, Map<String, Long> nextOffsets) {
    }

    private final Path log;
    private long nextVersion;
    private final Map<String, Long> nextOffsets = new HashMap<>();

    DeltaLogTail(Path table) {
        this.log = table.resolve("_delta_log");
    }

    /** The commits that appeared since the last call, in version order. */
    List<Commit> poll() {
        List<Commit> found = new java.util.ArrayList<>();
        while (true) {
            Path entry = log.resolve(String.format("%020d.json", nextVersion));
            if (!Files.exists(entry)) {
                return found;
            }
            long seen = System.nanoTime();
            String text;
            try {
                text = Files.readString(entry);
            } catch (IOException e) {
                // Delta writes entries atomically (rename), so a missing or unreadable one is simply not there yet.
                return found;
            }
            Matcher m = TXN.matcher(text);
            Map<String, Long> offsets = new HashMap<>();
            while (m.find()) {
                offsets.put(m.group(1), Long.parseLong(m.group(2)));
            }
            nextOffsets.putAll(offsets);
            found.add(new Commit(nextVersion, seen, offsets));
            nextVersion++;
        }
    }

    /** The version the next {@link #poll} looks for first. */
    long nextVersion() {
        return nextVersion;
    }

    /** The sum of the next offsets of the given transaction ids committed so far: records taken. */
    long committed(List<String> appIds) {
        return appIds.stream().mapToLong(id -> nextOffsets.getOrDefault(id, 0L)).sum();
    }
}
