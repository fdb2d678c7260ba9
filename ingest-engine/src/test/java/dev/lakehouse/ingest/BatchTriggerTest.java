package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchTriggerTest {

    private final BatchTrigger trigger = new BatchTrigger.LimitsOrInterval(3, 25, Duration.ofSeconds(5));

    private static BatchTrigger.OpenBatch open(long records, long bytes, long openedAt, boolean firstSinceSeek) {
        return new BatchTrigger.OpenBatch(records, bytes, openedAt, firstSinceSeek);
    }

    @Test
    void closesAtMaxRecordsOrMaxBytes() {
        assertThat(trigger.sealAfterRecord(open(2, 20, 0, false))).isFalse();
        assertThat(trigger.sealAfterRecord(open(3, 20, 0, false))).isTrue();
        assertThat(trigger.sealAfterRecord(open(1, 25, 0, false))).isTrue();
    }

    @Test
    void isDueTheIntervalAfterItsFirstRecordNotBefore() {
        assertThat(trigger.sealOnTime(open(0, 0, -1, false), 60_000)).as("an empty batch is never due").isFalse();
        assertThat(trigger.millisUntilDue(open(0, 0, -1, false), 60_000)).isEqualTo(Long.MAX_VALUE);
        assertThat(trigger.sealOnTime(open(1, 1, 1_000, false), 5_999)).isFalse();
        assertThat(trigger.millisUntilDue(open(1, 1, 1_000, false), 5_999)).isEqualTo(1);
        assertThat(trigger.sealOnTime(open(1, 1, 1_000, false), 6_000)).isTrue();
        assertThat(trigger.millisUntilDue(open(1, 1, 1_000, false), 9_000)).isZero();
    }

    @Test
    void onlyTheFirstBatchAfterASeekClosesWhenCaughtUp() {
        assertThat(trigger.sealWhenCaughtUp(open(10, 10, 0, true))).isTrue();
        assertThat(trigger.sealWhenCaughtUp(open(10, 10, 0, false))).isFalse();
        assertThat(trigger.sealWhenCaughtUp(open(0, 0, -1, true))).as("nothing to close").isFalse();
    }

    @Test
    void theFirstBatchAfterASeekIsDueAfterAQuarterOfTheInterval() {
        assertThat(trigger.sealOnTime(open(1, 1, 1_000, true), 2_249)).isFalse();
        assertThat(trigger.millisUntilDue(open(1, 1, 1_000, true), 2_000)).isEqualTo(250);
        assertThat(trigger.sealOnTime(open(1, 1, 1_000, true), 2_250)).isTrue();
        assertThat(trigger.sealOnTime(open(1, 1, 1_000, false), 2_250)).as("later batches keep the interval")
                .isFalse();
        BatchTrigger tiny = new BatchTrigger.LimitsOrInterval(3, 25, Duration.ofMillis(3));
        assertThat(tiny.sealOnTime(open(1, 1, 1_000, true), 1_000)).as("never due at once").isFalse();
        assertThat(tiny.sealOnTime(open(1, 1, 1_000, true), 1_001)).isTrue();
    }
}
