package dev.lakehouse.ingest.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessObjectiveTest {

    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void readsTheObjectiveAsWrittenAndWritesItBack() {
        FreshnessObjective objective = FreshnessObjective.parse("95% within 10s", HOUR);
        assertThat(objective.percent()).isEqualTo(95);
        assertThat(objective.within()).isEqualTo(Duration.ofSeconds(10));
        assertThat(objective.errorBudget()).isCloseTo(0.05, within(1e-12));
        assertThat(objective.describe()).isEqualTo("95% within 10s");
        assertThat(FreshnessObjective.parse(" 99.9 % WITHIN 2m ", HOUR).describe()).isEqualTo("99.9% within 2m");
        assertThat(FreshnessObjective.parse("90% within 1500ms", HOUR).within()).isEqualTo(Duration.ofMillis(1500));
        assertThat(FreshnessObjective.parse("50% within 1h", Duration.ofDays(1)).describe()).isEqualTo("50% within 1h");
    }

    @Test
    void refusesWhatIsNoObjectiveSayingHowToWriteIt() {
        for (String bad : List.of("", "95%", "95 within 10s", "95% in 10s", "95% within 10", "95% within 10d")) {
            assertThatThrownBy(() -> FreshnessObjective.parse(bad, HOUR))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"95% within 10s\"");
        }
        assertThatThrownBy(() -> FreshnessObjective.parse("0% within 10s", HOUR)).hasMessageContaining("above 0 %");
        assertThatThrownBy(() -> FreshnessObjective.parse("100% within 10s", HOUR)).hasMessageContaining("error budget");
        assertThatThrownBy(() -> FreshnessObjective.parse("95% within 2h", HOUR)).hasMessageContaining("window");
        assertThatThrownBy(() -> FreshnessObjective.parse("95% within 0s", HOUR)).hasMessageContaining("positive");
    }

    @Test
    void recordTimesCountWhatIsCertainlyAtOrAfterACutoffWithinOneBucket() {
        RecordTimes times = new RecordTimes();
        for (long t = 0; t < 1_000; t++) {
            times.add(10_000 + t); // one record per millisecond from 10.000 s to 10.999 s
        }
        times.add(-1); // no timestamp: not counted
        assertThat(times.total()).isEqualTo(1_000);
        assertThat(times.atOrAfter(10_000)).isEqualTo(1_000);
        assertThat(times.atOrAfter(10_500)).isEqualTo(500);
        // A cutoff inside a 100 ms bucket leaves that bucket out: never counted fresher than it was.
        assertThat(times.atOrAfter(10_550)).isEqualTo(400);
        assertThat(times.atOrAfter(11_000)).isZero();
    }

    @Test
    void recordTimesOfALongBacklogStayWithinTheirBucketsAndCountEveryRecord() {
        RecordTimes times = new RecordTimes();
        long day = Duration.ofDays(1).toMillis();
        for (long t = 0; t < 3 * day; t += 60_000) { // three days of one record a minute
            times.add(t);
        }
        assertThat(times.total()).isEqualTo(3 * 24 * 60);
        assertThat(times.atOrAfter(0)).isEqualTo(times.total());
        // Three days do not fit 256 buckets of 1,000 s: they widened to 10,000 s (26 buckets), so a cutoff at a
        // day's start may leave out the records of the one bucket it falls in (at most 167 here), never more.
        assertThat(times.atOrAfter(2 * day)).isBetween(24L * 60 - 167, 24L * 60);
    }

    @Test
    void complianceJudgesEachBatchByItsCommitAndForgetsBatchesOutsideTheWindow() {
        FreshnessTracker tracker = new FreshnessTracker(FreshnessObjective.parse("90% within 10s", HOUR));
        RecordTimes onTime = times(0, 100); // 100 records at 0-99 ms
        tracker.committed(5_000, onTime); // committed 5 s later: all in time
        RecordTimes late = times(10_000, 100);
        tracker.committed(30_000, late); // 20 s later: all late

        FreshnessCompliance now = tracker.compliance(31_000, 10_099, 0);
        assertThat(now.records()).isEqualTo(200);
        assertThat(now.fresh()).isEqualTo(100);
        assertThat(now.ratio()).isEqualTo(0.5);
        assertThat(now.burnRate()).isCloseTo(5.0, within(1e-9)); // half late where a tenth may be
        assertThat(now.met()).isFalse();

        // An hour after the first commit, only the late batch is in the window.
        FreshnessCompliance later = tracker.compliance(3_600_000 + 10_000, 10_099, 0);
        assertThat(later.records()).isEqualTo(100);
        assertThat(later.ratio()).isZero();
        assertThat(tracker.compliance(3_600_000 + 40_000, 10_099, 0).ratio()).isNaN();
        assertThat(tracker.compliance(3_600_000 + 40_000, 10_099, 0).met()).isTrue();
    }

    @Test
    void recordsWaitingWhileTheTableIsBehindCountAsLate() {
        FreshnessTracker tracker = new FreshnessTracker(FreshnessObjective.parse("99% within 2s", HOUR));
        tracker.committed(1_000, times(0, 900));

        // The newest committed record is 1.5 s old: waiting records may still make it.
        assertThat(tracker.compliance(1_500, 0, 100).pendingLate()).isZero();
        // 5 s old: the 100 waiting records are late already.
        FreshnessCompliance behind = tracker.compliance(5_000, 0, 100);
        assertThat(behind.pendingLate()).isEqualTo(100);
        assertThat(behind.records()).isEqualTo(1_000);
        assertThat(behind.ratio()).isEqualTo(0.9);
        assertThat(behind.met()).isFalse();
    }

    private static RecordTimes times(long from, int count) {
        RecordTimes times = new RecordTimes();
        for (int i = 0; i < count; i++) {
            times.add(from + i);
        }
        return times;
    }
}
