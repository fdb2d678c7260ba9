package dev.lakehouse.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when told to. Thread-safe; every view of it ({@link #withZone}) shares its time. */
public final class ManualClock extends Clock {

    private final Object lock;
    private final Instant[] now;
    private final ZoneId zone;

    /** A clock at {@code start}, in UTC. */
    public ManualClock(Instant start) {
        this(new Object(), new Instant[] {start}, ZoneOffset.UTC);
    }

    private ManualClock(Object lock, Instant[] now, ZoneId zone) {
        this.lock = lock;
        this.now = now;
        this.zone = zone;
    }

    /** Moves the time forward (or back, for a negative duration). */
    public void advance(Duration duration) {
        synchronized (lock) {
            now[0] = now[0].plus(duration);
        }
    }

    /** Sets the time. */
    public void set(Instant instant) {
        synchronized (lock) {
            now[0] = instant;
        }
    }

    @Override
    public Instant instant() {
        synchronized (lock) {
            return now[0];
        }
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId other) {
        return new ManualClock(lock, now, other);
    }
}
