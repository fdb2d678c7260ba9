package dev.lakehouse.table.delta;

import dev.lakehouse.table.IncompleteLogListingException;
import dev.lakehouse.table.UnsupportedTableProtocolException;
import dev.lakehouse.common.Sleeper;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.CommitInfo;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
 * "versions are not contiguous", "Unable to reconstruct state at version 1" when version 0 is missing from the
 * listing), although the log itself is whole. Such a refusal is retried with a fresh listing,
 * a few times with a short pause; any other failure is thrown as it is, and a listing that stays incomplete as an
 * {@link IncompleteLogListingException} (transient: the caller retries later with backoff). Commits need no
 * such care: a snapshot built from a listing that missed the newest versions only makes the next commit lose its
 * put-if-absent race and retry.
 *
 * <p>A listing can also lack versions without delta-standalone noticing: a listing cut short before the first log
 * file reads as an empty directory, and the update silently goes back to version -1 ("no table") although this
 * log has seen the table. A Delta log never loses versions, so an update to a version below the highest one this
 * log has seen is treated the same way: listed again, and if it stays below, refused with a
 * {@link LogWentBackException} that names both versions (the table was deleted and created again, or the store
 * does not list what it holds).
 */
final class RelistingDeltaLog implements DeltaLog {

    private static final Logger LOG = LoggerFactory.getLogger(RelistingDeltaLog.class);
    /**
     * Listings per read: with the pause growing by {@link #PAUSE} each time, up to 4.5 s of listings. Two writers
     * committing back to back keep s3proxy's listing short for over a second at times, which six (1.5 s) did not
     * always outlast.
     */
    static final int ATTEMPTS = 10;
    private static final Duration PAUSE = Duration.ofMillis(100);
    private static final List<String> INCOMPLETE_LISTING = List.of("Couldn't find all part files",
            "Checkpoint file to load version", "not contiguous", "Did not get the last delta file",
            "Did not get the first delta file",
            // A listing that lacks version 0 while holding later versions and no checkpoint.
            "Unable to reconstruct state at version",
            // A listing that ends below the last snapshot's version, asserted inside delta-standalone.
            "yet you are passing a newer `previousSnapshotOpt`");

    private final DeltaLog log;
    private final Sleeper sleeper;
    private final java.util.function.Function<Path, String> describeProtocol;
    /** The highest version an update of this log has shown; versions below it come from incomplete listings. */
    private final AtomicLong highestVersionSeen = new AtomicLong(-1);

    RelistingDeltaLog(DeltaLog log, Sleeper sleeper) {
        this(log, sleeper, logPath -> "");
    }

    /** @param describeProtocol the table's newest protocol for a message, from its _delta_log directory ("" unknown) */
    RelistingDeltaLog(DeltaLog log, Sleeper sleeper, java.util.function.Function<Path, String> describeProtocol) {
        this.log = log;
        this.sleeper = sleeper;
        this.describeProtocol = describeProtocol;
    }


    /** Whether {@code e} is delta-standalone refusing a snapshot for a listing that lacked log files. */
    static boolean incompleteListing(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LogWentBackException) {
                return true;
            }
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
            } catch (Exception | AssertionError e) {
                // delta-standalone asserts (an Error) when a listing shows fewer versions than its last snapshot,
                // and its Scala code throws checked exceptions it does not declare (a bare FileNotFoundException
                // for a listing without version 0), hence Exception and not RuntimeException. Rethrowing e
                // rethrows exactly what read threw.
                if (TableProtocol.isTooNew(e)) {
                    throw new UnsupportedTableProtocolException(log.getPath().toString(),
                            describeProtocol.apply(new Path(log.getPath(), "_delta_log")), e);
                }
                if (!incompleteListing(e)) {
                    throw e;
                }
                if (attempt >= ATTEMPTS) {
                    if (e instanceof LogWentBackException) {
                        throw e; // a table deleted and created again stays so: not worth retrying blindly
                    }
                    // The log is whole; only its listing is not, for now: a transient failure, never FAILED.
                    throw new IncompleteLogListingException(log.getPath().toString(), attempt, e);
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
        return relisting(() -> {
            Snapshot snapshot = log.update();
            notBehind(snapshot.getVersion());
            return snapshot;
        });
    }

    /** Throws when {@code version} is below a version this log has seen; otherwise remembers it. */
    private void notBehind(long version) {
        long seen = highestVersionSeen.accumulateAndGet(version, Math::max);
        if (version < seen) {
            throw new LogWentBackException(log.getPath(), version, seen);
        }
    }

    /** An update that showed a lower version than an earlier one of the same log. */
    static final class LogWentBackException extends IllegalStateException {
        LogWentBackException(Path logPath, long listed, long seen) {
            super("the log " + logPath + " lists version " + listed + " but version " + seen + " was seen before:"
                    + " the store's listing lacks log files, or the table was deleted and created again (then"
                    + " restart the appliance to read it as a new table)");
        }
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
        return relisting(() -> {
            OptimisticTransaction txn = log.startTransaction();
            notBehind(txn.readVersion());
            return txn;
        });
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
