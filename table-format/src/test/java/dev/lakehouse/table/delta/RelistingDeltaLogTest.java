package dev.lakehouse.table.delta;

import dev.lakehouse.table.IncompleteLogListingException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.testkit.ManualClock;
import dev.lakehouse.testkit.ManualSleeper;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.CommitInfo;
import java.io.FileNotFoundException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** A snapshot refused for an incomplete listing is built again from a fresh listing; other failures are not. */
class RelistingDeltaLogTest {

    private final ManualSleeper sleeper = new ManualSleeper(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));

    /** A snapshot or transaction that answers only its version. */
    private static <T> T atVersion(Class<T> type, long version) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("getVersion") || method.getName().equals("readVersion")) {
                return version;
            }
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    /** Throws {@code failure} unchecked, as Scala code throws checked exceptions it does not declare. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable failure) throws E {
        throw (E) failure;
    }

    /** A log whose updates fail with the queued failures first, then list the queued versions (the last stays). */
    private static final class FailingLog implements DeltaLog {
        final Deque<Throwable> failures = new ArrayDeque<>();
        final Deque<Long> versions = new ArrayDeque<>(List.of(0L));
        int updates;

        @Override
        public Snapshot update() {
            updates++;
            if (!failures.isEmpty()) {
                throw RelistingDeltaLogTest.<RuntimeException>sneaky(failures.removeFirst());
            }
            return atVersion(Snapshot.class, versions.size() > 1 ? versions.removeFirst() : versions.getFirst());
        }

        @Override
        public Snapshot snapshot() {
            return null;
        }

        @Override
        public Snapshot getSnapshotForVersionAsOf(long version) {
            return update();
        }

        @Override
        public Snapshot getSnapshotForTimestampAsOf(long timestamp) {
            return update();
        }

        @Override
        public OptimisticTransaction startTransaction() {
            return atVersion(OptimisticTransaction.class, update().getVersion());
        }

        @Override
        public CommitInfo getCommitInfoAt(long version) {
            return null;
        }

        @Override
        public Path getPath() {
            return new Path("s3a://lake/t/_delta_log");
        }

        @Override
        public Iterator<VersionLog> getChanges(long startVersion, boolean failOnDataLoss) {
            return null;
        }

        @Override
        public long getVersionBeforeOrAtTimestamp(long timestamp) {
            return 0;
        }

        @Override
        public long getVersionAtOrAfterTimestamp(long timestamp) {
            return 0;
        }

        @Override
        public boolean tableExists() {
            return true;
        }
    }

    private static IllegalStateException missingCheckpoint() {
        return new IllegalStateException("Couldn't find all part files of the checkpoint version: 20",
                new FileNotFoundException("Checkpoint file to load version: 20 is missing."));
    }

    @Test
    void anIncompleteListingIsListedAgainAfterAPause() {
        FailingLog log = new FailingLog();
        log.failures.add(missingCheckpoint());
        log.failures.add(new IllegalStateException("Versions (List(3, 5)) are not contiguous."));
        // Thrown bare and undeclared by delta-standalone's Scala code: a checked exception.
        log.failures.add(new FileNotFoundException("s3a://lake/t/_delta_log/"
                + "00000000000000000000.json: Unable to reconstruct state at version 1 as the transaction log has "
                + "been truncated due to manual deletion or the log retention policy"));
        log.failures.add(new AssertionError("assertion failed: Trying to create a Snapshot at version 2 yet you "
                + "are passing a newer `previousSnapshotOpt` with version 4."));

        new RelistingDeltaLog(log, sleeper).startTransaction();

        assertThat(log.updates).isEqualTo(5);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(300), Duration.ofMillis(400));
    }

    @Test
    void otherFailuresAndAListingThatStaysIncompleteAreThrown() {
        FailingLog log = new FailingLog();
        log.failures.add(new IllegalStateException("access denied"));
        assertThatThrownBy(() -> new RelistingDeltaLog(log, sleeper).update()).hasMessage("access denied");
        assertThat(log.updates).isEqualTo(1);

        FailingLog broken = new FailingLog();
        for (int i = 0; i < RelistingDeltaLog.ATTEMPTS + 4; i++) {
            broken.failures.add(missingCheckpoint());
        }
        // Transient: the pipeline retries with backoff instead of failing (it was delta-standalone's own error).
        assertThatThrownBy(() -> new RelistingDeltaLog(broken, sleeper).update())
                .isInstanceOf(IncompleteLogListingException.class)
                .hasMessageContaining("Couldn't find all part files");
        assertThat(broken.updates).isEqualTo(RelistingDeltaLog.ATTEMPTS);
    }

    @Test
    void anUpdateBelowAVersionSeenBeforeIsListedAgain() {
        FailingLog log = new FailingLog();
        log.versions.clear();
        // Version 4 seen, then a listing cut short reads as no table (-1), then the whole log again.
        log.versions.addAll(List.of(4L, -1L, 5L));
        RelistingDeltaLog relisting = new RelistingDeltaLog(log, sleeper);

        assertThat(relisting.update().getVersion()).isEqualTo(4);
        assertThat(relisting.startTransaction().readVersion()).isEqualTo(5);

        assertThat(log.updates).isEqualTo(3);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void aLogThatStaysBehindIsRefusedNamingBothVersions() {
        FailingLog log = new FailingLog();
        log.versions.clear();
        log.versions.addAll(List.of(7L, 2L));
        RelistingDeltaLog relisting = new RelistingDeltaLog(log, sleeper);
        relisting.update();

        assertThatThrownBy(relisting::update)
                .isInstanceOf(RelistingDeltaLog.LogWentBackException.class)
                .hasMessageContaining("lists version 2 but version 7 was seen before");
        assertThat(log.updates).as("the first update, then every attempt of the second")
                .isEqualTo(1 + RelistingDeltaLog.ATTEMPTS);
    }
}
