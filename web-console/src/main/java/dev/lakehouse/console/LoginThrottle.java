package dev.lakehouse.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows password guessing: after {@value #FREE_FAILURES} failed logins in a row for one user, that user's logins
 * are refused, without checking the password, for 30 s, then twice as long after each further failure, up to 5
 * minutes. A successful login, or an hour without failures, starts the count again.
 *
 * <p>Counted per user name, not per client address: behind a reverse proxy every client has the proxy's address.
 * Every name tried is counted, existing or not, so a lock does not tell which names exist. The price is that
 * someone who knows a user name can keep that user out for the lock's duration; the cap keeps that short, and
 * other users are unaffected. At most {@value #MAX_TRACKED} names are tracked: when full, names not locked right
 * now are forgotten first.
 *
 * <p>Thread-safe.
 */
final class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration LONGEST_LOCK = Duration.ofMinutes(5);
    static final Duration FORGET_AFTER = Duration.ofHours(1);
    static final int MAX_TRACKED = 10_000;

    private record Failures(int count, Instant last, Instant lockedUntil) {
    }

    private final Clock clock;
    private final Map<String, Failures> failures = new HashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code user}'s logins are still refused, or empty when a login may be tried now. */
    synchronized Optional<Duration> lockedFor(String user) {
        Failures current = current(user);
        if (current == null || current.lockedUntil() == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), current.lockedUntil());
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /** Records a failed login of {@code user}; locks it once the free failures are used up. */
    synchronized void failed(String user) {
        Failures current = current(user);
        int count = current == null ? 1 : current.count() + 1;
        Instant now = clock.instant();
        Instant lockedUntil = null;
        if (count >= FREE_FAILURES) {
            int doublings = Math.min(count - FREE_FAILURES, 16);
            Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
            lockedUntil = now.plus(lock.compareTo(LONGEST_LOCK) > 0 ? LONGEST_LOCK : lock);
        }
        if (current == null && failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> f.lockedUntil() == null || !f.lockedUntil().isAfter(now));
        }
        failures.put(user, new Failures(count, now, lockedUntil));
    }

    /** Records a successful login of {@code user}: its failures are forgotten. */
    synchronized void succeeded(String user) {
        failures.remove(user);
    }

    /** The user's failures, unless the last one is old enough to forget. */
    private Failures current(String user) {
        Failures current = failures.get(user);
        if (current != null && current.last().plus(FORGET_AFTER).isBefore(clock.instant())
                && (current.lockedUntil() == null || current.lockedUntil().isBefore(clock.instant()))) {
            failures.remove(user);
            return null;
        }
        return current;
    }
}
