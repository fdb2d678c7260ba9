package dev.lakehouse.common;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How code waits, beside {@link java.time.Clock} for what time it is: production uses {@link #system()}, tests a
 * manual sleeper that advances a manual clock instead of waiting, so backoffs, lease waits and login delays are
 * tested in microseconds and without timing assumptions.
 */
public interface Sleeper {

    /**
     * Waits for {@code duration} (nothing for zero or negative).
     *
     * @throws InterruptedException if the thread is interrupted; the interrupt flag is cleared, as by
     *         {@link Thread#sleep}
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits for {@code duration}, or less if {@code signal} reaches zero first.
     *
     * @return true if the signal ended the wait (or had already), false if the time ran out
     * @throws InterruptedException if the thread is interrupted
     */
    boolean sleepUnlessSignalled(Duration duration, CountDownLatch signal) throws InterruptedException;

    /** The real thing: {@link Thread#sleep} and {@link CountDownLatch#await(long, TimeUnit)}. */
    static Sleeper system() {
        return SystemSleeper.INSTANCE;
    }

    /** {@link Sleeper#system()}. */
    enum SystemSleeper implements Sleeper {
        INSTANCE;

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            if (!duration.isNegative() && !duration.isZero()) {
                Thread.sleep(duration.toMillis());
            }
        }

        @Override
        public boolean sleepUnlessSignalled(Duration duration, CountDownLatch signal) throws InterruptedException {
            return signal.await(Math.max(0, duration.toMillis()), TimeUnit.MILLISECONDS);
        }
    }
}
