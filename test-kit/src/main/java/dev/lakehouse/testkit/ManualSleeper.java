package dev.lakehouse.testkit;

import dev.lakehouse.common.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A {@link Sleeper} that does not wait: each sleep advances a {@link ManualClock} by its duration, is recorded,
 * and runs an optional hook first (what the world does meanwhile, such as another process renewing a lease).
 * A sleep that a signal would end returns at once without advancing the clock.
 */
public final class ManualSleeper implements Sleeper {

    private final ManualClock clock;
    private final List<Duration> sleeps = new ArrayList<>();
    private volatile Consumer<Duration> duringSleep = d -> { };

    public ManualSleeper(ManualClock clock) {
        this.clock = clock;
    }

    /** Runs {@code hook} at the start of every later sleep, with the sleep's duration. */
    public ManualSleeper duringSleep(Consumer<Duration> hook) {
        this.duringSleep = hook;
        return this;
    }

    /** The durations slept so far, in order. */
    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        synchronized (this) {
            sleeps.add(duration);
        }
        duringSleep.accept(duration);
        if (!duration.isNegative()) {
            clock.advance(duration);
        }
    }

    @Override
    public boolean sleepUnlessSignalled(Duration duration, CountDownLatch signal) throws InterruptedException {
        if (signal.getCount() == 0) {
            return true;
        }
        sleep(duration);
        return signal.getCount() == 0;
    }
}
