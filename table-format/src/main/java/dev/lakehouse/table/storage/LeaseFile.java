package dev.lakehouse.table.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A writer lease as the JSON file that holds it: who holds it (owner, token, process), when it was renewed, when it
 * expires and how often it is renewed. Written whole in one put, so a reader sees the old lease or the new one.
 */
final class LeaseFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LeaseFile() {
    }

    /** The lease at {@code path}, or null when there is none. */
    static JsonNode read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /** Writes the lease of {@code owner} ({@code token} tells its writes apart), renewed {@code now}. */
    static void write(FileSystem fs, Path path, String owner, String token, String process, Instant now,
                      Duration ttl, Duration renewInterval) throws IOException {
        ObjectNode lease = JSON.createObjectNode();
        lease.put("owner", owner);
        lease.put("token", token);
        lease.put("renewedAt", now.toString());
        lease.put("expiresAt", now.plus(ttl).toString());
        lease.put("ttlSeconds", ttl.toSeconds());
        lease.put("renewIntervalMillis", renewInterval.toMillis());
        lease.put("process", process);
        try (OutputStream out = fs.create(path, true)) {
            out.write(JSON.writeValueAsBytes(lease));
        }
    }
}
