package dev.lakehouse.table;

import dev.lakehouse.common.Sleeper;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.CommitInfo;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeltaLog} whose snapshot updates list the log again when a listing came back incomplete.
 *
 * <p>With several writers, the log directory changes while it is listed. S3 lists consistently, but some
 * S3-compatible stores return a listing that lacks objects written during it (s3proxy's file-system backend stops
 * listing a directory at the first entry that vanished under it, such as another writer's upload in progress).
 * delta-standalone then refuses to build the snapshot ("Couldn't find all part files of the checkpoint version",
 * "versions are not contiguous"), although the log itself is whole. Such a refusal is retried with a fresh listing,
 * a few times with a short pause; any other failure, and the last refusal, are thrown as they are. Commits need no
 * such care: a snapshot built from a listing that missed the newest versions only makes the next commit lose its
 * put-if-absent race and retry.
 */
final class RelistingDeltaLog implements DeltaLog {

    private static final Logger LOG = LoggerFactory.getLogger(RelistingDeltaLog.class);
    private static final int ATTEMPTS = 6;
    private static final Duration PAUSE = Duration.ofMillis(100);
    private static final List<String> INCOMPLETE_LISTING = List.of("Couldn't find all part files",
            "Checkpoint file to load version", "not contiguous", "Did not get the last delta file",
            "Did not get the first delta file");

    private final DeltaLog log;
    private final Sleeper sleeper;

    RelistingDeltaLog(DeltaLog log, Sleeper sleeper) {
        this.log = log;
        this.sleeper = sleeper;
    }

    /** Whether {@code e} is delta-standalone refusing a snapshot for a listing that lacked log files. */
    static boolean incompleteListing(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (INCOMPLETE_LISTING.stream().anyMatch(message::contains)) {
                return true;
            }
        }
        return false;
    }

    private <T> T relisting(Supplier<T> read) {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !incompleteListing(e)) {
                    throw e;
                }
                LOG.info("table {}: the log listing was incomplete ({}); listing again", log.getPath(),
                        e.getMessage());
                try {
                    sleeper.sleep(PAUSE.multipliedBy(attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public Snapshot snapshot() {
        return log.snapshot();
    }

    @Override
    public Snapshot update() {
        return relisting(log::update);
    }

    @Override
    public Snapshot getSnapshotForVersionAsOf(long version) {
        return relisting(() -> log.getSnapshotForVersionAsOf(version));
    }

    @Override
    public Snapshot getSnapshotForTimestampAsOf(long timestamp) {
        return relisting(() -> log.getSnapshotForTimestampAsOf(timestamp));
    }

    @Override
    public OptimisticTransaction startTransaction() {
        return relisting(log::startTransaction);
    }

    @Override
    public CommitInfo getCommitInfoAt(long version) {
        return log.getCommitInfoAt(version);
    }

    @Override
    public Path getPath() {
        return log.getPath();
    }

    @Override
    public Iterator<VersionLog> getChanges(long startVersion, boolean failOnDataLoss) {
        return log.getChanges(startVersion, failOnDataLoss);
    }

    @Override
    public long getVersionBeforeOrAtTimestamp(long timestamp) {
        return log.getVersionBeforeOrAtTimestamp(timestamp);
    }

    @Override
    public long getVersionAtOrAfterTimestamp(long timestamp) {
        return log.getVersionAtOrAfterTimestamp(timestamp);
    }

    @Override
    public boolean tableExists() {
        return log.tableExists();
    }
}
