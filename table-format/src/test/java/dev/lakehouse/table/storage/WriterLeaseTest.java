package dev.lakehouse.table.storage;

import dev.lakehouse.table.TableOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.testkit.ManualClock;
import dev.lakehouse.testkit.ManualSleeper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease's rules in virtual time: the lease file is real (local disk), the waiting is not. */
class WriterLeaseTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualSleeper sleeper = new ManualSleeper(clock);

    private TableOptions options() {
        return TableOptions.builder(dir.toUri().toString()).clock(clock).build();
    }

    private WriterLease acquire(String owner) {
        return WriterLease.acquire(options(), owner, TTL, SETTLE, clock, sleeper);
    }

    @Test
    void aHolderThatStopsRenewingStopsWritingBeforeTheLeaseExpires() {
        WriterLease lease = acquire("a");
        assertThat(lease.isValid()).isTrue();

        clock.advance(TTL.minus(TTL.dividedBy(5)).minusMillis(SETTLE.toMillis() + 1));
        assertThat(lease.isValid()).as("just inside the safety margin").isTrue();
        clock.advance(Duration.ofMillis(2));
        assertThat(lease.isValid()).isFalse();
        assertThatThrownBy(lease::checkValid).isInstanceOf(WriterLeaseHeldException.class)
                .hasMessageContaining("no longer holds");
    }

    @Test
    void anotherOwnerIsRefusedUntilTheLeaseExpiresAndTheOldHolderThenLearnsItLostIt() {
        WriterLease first = acquire("a");
        assertThatThrownBy(() -> acquire("b")).isInstanceOf(WriterLeaseHeldException.class)
                .hasMessageContaining("'a'");

        clock.advance(TTL.plusSeconds(1));
        WriterLease second = acquire("b");
        assertThat(second.isValid()).isTrue();
        assertThatThrownBy(first::renew).isInstanceOf(WriterLeaseHeldException.class).hasMessageContaining("'b'");
        assertThat(first.isValid()).isFalse();
    }

    @Test
    void theSameOwnerTakesItsCrashedPredecessorsLeaseOnceARenewalIsOverdueNotAtExpiry() {
        acquire("a"); // the predecessor: it never renews again
        int before = sleeper.sleeps().size();

        WriterLease restarted = acquire("a");

        assertThat(restarted.isValid()).isTrue();
        Duration waited = sleeper.sleeps().subList(before, sleeper.sleeps().size()).stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(waited).as("the renew interval plus the grace, then the settle time")
                .isLessThan(TTL).isGreaterThanOrEqualTo(restarted.renewInterval());
    }

    @Test
    void theSameOwnerIsRefusedWhileAnotherLiveProcessKeepsRenewingUnderThatName() {
        WriterLease live = acquire("a");
        AtomicBoolean renewed = new AtomicBoolean();
        sleeper.duringSleep(d -> {
            if (renewed.compareAndSet(false, true)) {
                clock.advance(live.renewInterval());
                live.renew(); // the other process is alive
            }
        });

        assertThatThrownBy(() -> acquire("a")).isInstanceOf(WriterLeaseHeldException.class)
                .hasMessageContaining("another live process");
        assertThat(live.isValid()).isTrue();
    }

    @Test
    void anOwnLeaseThatExpiredWhileStorageWasDownIsTakenBackWhenNobodyElseTookIt() {
        WriterLease lease = acquire("a");
        clock.advance(TTL.plusSeconds(10)); // no renewal got through for longer than the time to live
        assertThat(lease.isValid()).isFalse();

        lease.ensureValid();

        assertThat(lease.isValid()).isTrue();
        assertThat(lease.renewalFailure()).isEmpty();
    }

    @Test
    void anExpiredLeaseAnotherOwnerTookIsNotTakenBack() {
        WriterLease lease = acquire("a");
        clock.advance(TTL.plusSeconds(10));
        acquire("b");

        assertThatThrownBy(lease::ensureValid).isInstanceOf(WriterLeaseHeldException.class).hasMessageContaining("'b'");
        assertThat(lease.isValid()).isFalse();
    }

    @Test
    void aRenewalAfterExpiryStepsDownWhenASuccessorWritesItsLeaseMeanwhile() {
        WriterLease lease = acquire("a");
        clock.advance(TTL.plusSeconds(10));
        AtomicBoolean raced = new AtomicBoolean();
        sleeper.duringSleep(d -> {
            if (raced.compareAndSet(false, true)) {
                // A successor that had read the expired lease before this renewal wrote it now writes its own
                // (played here by replacing the file), while this renewal settles.
                try {
                    java.nio.file.Files.delete(dir.resolve(WriterLease.LEASE_FILE));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                WriterLease.acquire(options(), "b", TTL, Duration.ZERO, clock, new ManualSleeper(clock));
            }
        });

        assertThatThrownBy(lease::ensureValid).isInstanceOf(WriterLeaseHeldException.class).hasMessageContaining("'b'");
        assertThat(lease.isValid()).isFalse();
    }

    @Test
    void aReleasedLeaseIsFreeAtOnce() {
        acquire("a").close();
        assertThat(acquire("b").isValid()).isTrue();
    }
}
