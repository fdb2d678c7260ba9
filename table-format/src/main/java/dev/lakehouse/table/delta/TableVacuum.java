package dev.lakehouse.table.delta;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.VacuumResult;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.RemoveFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes the files of a table that no version within the retention needs (see {@link LakeTable#vacuum}). */
final class TableVacuum {

    private static final Logger LOG = LoggerFactory.getLogger(TableVacuum.class);

    private final DeltaLog log;
    private final Configuration conf;
    private final Path root;
    private final Clock clock;

    TableVacuum(DeltaLog log, Configuration conf, Path root, Clock clock) {
        this.log = log;
        this.conf = conf;
        this.root = root;
        this.clock = clock;
    }

    VacuumResult run(Duration retention, boolean dryRun) {
        Snapshot snapshot = log.update();
        if (snapshot.getVersion() < 0) {
            return new VacuumResult(List.of(), 0, 0, 0, dryRun);
        }
        long cutoff = clock.millis() - retention.toMillis();
        Set<String> live = new HashSet<>();
        snapshot.getAllFiles().forEach(add -> live.add(absolute(add.getPath())));
        Set<String> retained = removedWithin(cutoff);
        retained.removeAll(live);
        List<String> deleted = new ArrayList<>();
        long deletedBytes = 0;
        String rootPath = root.toUri().getPath();
        try {
            FileSystem fs = root.getFileSystem(conf);
            // First the whole listing, then the deletions: a table nested in this one's directory (its own
            // _delta_log below the root) may be listed after its data files, which are not this table's to delete.
            List<LocatedFileStatus> candidates = new ArrayList<>();
            java.util.SortedSet<String> nestedTables = new java.util.TreeSet<>();
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                LocatedFileStatus file = files.next();
                String path = file.getPath().toUri().getPath();
                String relative = relative(path, rootPath);
                int nestedLog = relative.indexOf("/_delta_log/");
                if (nestedLog > 0) {
                    nestedTables.add(relative.substring(0, nestedLog));
                }
                // Files younger than the retention may belong to a batch being written now, not yet committed.
                if (hidden(relative) || live.contains(path) || retained.contains(path)
                        || file.getModificationTime() >= cutoff) {
                    continue;
                }
                candidates.add(file);
            }
            if (!nestedTables.isEmpty()) {
                throw new IllegalStateException("vacuum of " + root + " refused: another table lies inside its "
                        + "directory (" + String.join(", ", nestedTables) + "), and its files are not this table's, "
                        + "so vacuum would delete them. Move that table out of this one's directory (a table's "
                        + "location must not be inside another's), then vacuum again.");
            }
            for (LocatedFileStatus file : candidates) {
                String relative = relative(file.getPath().toUri().getPath(), rootPath);
                if (!dryRun && !fs.delete(file.getPath(), false)) {
                    throw new IOException("could not delete " + file.getPath());
                }
                deleted.add(relative);
                deletedBytes += file.getLen();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("vacuum of " + root + " failed after " + deleted.size()
                    + " files: " + e.getMessage(), e);
        }
        LOG.info("table {}: vacuum {} {} files ({} bytes); {} live, {} removed files kept for the retention of {}",
                root, dryRun ? "would delete" : "deleted", deleted.size(), deletedBytes, live.size(),
                retained.size(), retention);
        return new VacuumResult(deleted, deletedBytes, live.size(), retained.size(), dryRun);
    }

    /** Files removed by a version after {@code cutoff}: time travel within the retention still reads them. */
    private Set<String> removedWithin(long cutoff) {
        Set<String> retained = new HashSet<>();
        Iterator<VersionLog> versions = log.getChanges(0, false);
        while (versions.hasNext()) {
            for (Action action : versions.next().getActions()) {
                if (action instanceof RemoveFile remove
                        && remove.getDeletionTimestamp().orElse(Long.MAX_VALUE) > cutoff) {
                    retained.add(absolute(remove.getPath()));
                }
            }
        }
        return retained;
    }

    private static String relative(String path, String rootPath) {
        return path.startsWith(rootPath) ? path.substring(rootPath.length()).replaceFirst("^/", "") : path;
    }

    /** The log, and anything hidden at any level (Delta's rule: names starting with '_' or '.'). */
    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith("_") || part.startsWith(".")) {
                return !part.contains("="); // a partition directory such as _x=1 is data
            }
        }
        return false;
    }

    private String absolute(String addPath) {
        return new Path(root, new Path(URI.create(addPath))).toUri().getPath();
    }
}
