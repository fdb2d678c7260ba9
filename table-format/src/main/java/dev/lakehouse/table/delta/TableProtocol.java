package dev.lakehouse.table.delta;

import dev.lakehouse.table.UnsupportedTableProtocolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The table's newest protocol action, read from the log's JSON commits (newest first) for messages: delta-standalone
 * only says that a protocol is too new, not which features it has.
 */
final class TableProtocol {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TableProtocol() {
    }

    /**
     * The newest protocol of the log at {@code logPath}, as {@code (3,7) with reader features [...] and writer
     * features [...]}; empty when no JSON commit holds one (it is in a checkpoint) or the log cannot be read.
     */
    static String describeNewest(Configuration conf, Path logPath) {
        try {
            FileSystem fs = logPath.getFileSystem(conf);
            List<FileStatus> commits = new ArrayList<>();
            for (FileStatus status : fs.listStatus(logPath)) {
                if (status.getPath().getName().matches("\\d{20}\\.json")) {
                    commits.add(status);
                }
            }
            commits.sort(Comparator.comparing((FileStatus s) -> s.getPath().getName()).reversed());
            for (FileStatus commit : commits) {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(fs.open(commit.getPath()),
                        StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.contains("\"protocol\"")) {
                            JsonNode protocol = JSON.readTree(line).path("protocol");
                            if (!protocol.isMissingNode()) {
                                return describe(protocol);
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "";
    }

    /** Whether {@code e} is delta-standalone refusing a table whose protocol is newer than it reads and writes. */
    static boolean isTooNew(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getClass().getSimpleName().equals("InvalidProtocolVersionException")) {
                return true;
            }
        }
        return false;
    }

    /** delta-standalone's log of the table at {@code root}, refusing a raised protocol with a message that helps. */
    static io.delta.standalone.DeltaLog open(Configuration conf, Path root) {
        try {
            return io.delta.standalone.DeltaLog.forTable(conf, root);
        } catch (RuntimeException e) {
            if (isTooNew(e)) {
                throw new UnsupportedTableProtocolException(root.toString(),
                        describeNewest(conf, new Path(root, "_delta_log")), e);
            }
            throw e;
        }
    }

    private static String describe(JsonNode protocol) {
        StringBuilder text = new StringBuilder("(" + protocol.path("minReaderVersion").asInt() + ","
                + protocol.path("minWriterVersion").asInt() + ")");
        if (protocol.has("readerFeatures")) {
            text.append(" with reader features ").append(protocol.get("readerFeatures"));
        }
        if (protocol.has("writerFeatures")) {
            text.append(protocol.has("readerFeatures") ? " and" : " with").append(" writer features ")
                    .append(protocol.get("writerFeatures"));
        }
        return text.toString();
    }
}
