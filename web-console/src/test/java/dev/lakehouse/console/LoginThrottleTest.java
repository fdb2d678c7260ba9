package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void locksAUserAfterFiveFailuresAndDoublesTheLockUpToFiveMinutes() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            throttle.failed("otto");
            assertThat(throttle.lockedFor("otto")).as("failure %d is free", i + 1).isEmpty();
        }
        throttle.failed("otto");
        assertThat(throttle.lockedFor("otto")).contains(Duration.ofSeconds(30));
        assertThat(throttle.lockedFor("vera")).as("other users are not affected").isEmpty();

        clock.advance(Duration.ofSeconds(29));
        assertThat(throttle.lockedFor("otto")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.lockedFor("otto")).isEmpty();

        throttle.failed("otto");
        assertThat(throttle.lockedFor("otto")).contains(Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(6));
            throttle.failed("otto");
        }
        assertThat(throttle.lockedFor("otto")).contains(Duration.ofMinutes(5));
    }

    @Test
    void aSuccessOrAnHourWithoutFailuresStartsTheCountAgain() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            throttle.failed("otto");
        }
        throttle.succeeded("otto");
        throttle.failed("otto");
        assertThat(throttle.lockedFor("otto")).isEmpty();

        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed("vera");
        }
        assertThat(throttle.lockedFor("vera")).isPresent();
        clock.advance(Duration.ofMinutes(61));
        assertThat(throttle.lockedFor("vera")).isEmpty();
        throttle.failed("vera");
        assertThat(throttle.lockedFor("vera")).as("the old failures were forgotten").isEmpty();
    }

    @Test
    void tracksABoundedNumberOfNamesAndKeepsTheLockedOnes() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed("otto");
        }
        for (int i = 0; i < LoginThrottle.MAX_TRACKED + 10; i++) {
            throttle.failed("name-" + i);
        }
        assertThat(throttle.lockedFor("otto")).as("a locked name survives the pruning").isPresent();
    }
}
