package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.ingest.status.FreshnessObjective;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagHistoryTest {

    private static PipelineStatus status(long committed, long... endAndNext) {
        List<PartitionLag> partitions = new java.util.ArrayList<>();
        for (int i = 0; i < endAndNext.length; i += 2) {
            partitions.add(new PartitionLag("t", i / 2, endAndNext[i + 1], endAndNext[i],
                    endAndNext[i] - endAndNext[i + 1]));
        }
        return new PipelineStatus("p", PipelineState.RUNNING, null, 0, committed, null, partitions);
    }

    @Test
    void ratesAreArrivalsAndCommitsPerSecondBetweenSamples() {
        LagHistory history = new LagHistory(10, Duration.ofSeconds(30));
        history.record(status(0, 100, 0, 50, 0), 0);
        history.record(status(120, 300, 100, 150, 20), 2000);
        LagHistory.Sample sample = history.latest();
        assertThat(sample.inputRowsPerSecond()).isEqualTo(150.0); // (450 - 150) / 2 s
        assertThat(sample.processedRowsPerSecond()).isEqualTo(60.0);
        assertThat(sample.totalLag()).isEqualTo(330);
        assertThat(history.samples().get(0).inputRowsPerSecond()).as("no rate before a second sample").isZero();
    }

    @Test
    void eachSampleKeepsTheFreshnessAndTheObjectivesComplianceOfItsMoment() {
        LagHistory history = new LagHistory(10, Duration.ofSeconds(30));
        FreshnessObjective objective = FreshnessObjective.parse("95% within 10s", Duration.ofHours(1));
        history.record(status(0, 100, 0), 1_000);
        history.record(new PipelineStatus("p", PipelineState.RUNNING, null, 1, 100, Instant.ofEpochMilli(9_000),
                List.of(new PartitionLag("t", 0, 100, 100, 0)), Instant.ofEpochMilli(7_500),
                new FreshnessCompliance(objective, 200, 180, 0)), 10_000);

        assertThat(history.samples().get(0).freshnessSeconds()).as("nothing committed yet").isNull();
        assertThat(history.samples().get(0).objectivePercent()).as("no objective").isNull();
        assertThat(history.latest().freshnessSeconds()).isEqualTo(2.5);
        assertThat(history.latest().objectivePercent()).isEqualTo(90.0);
    }

    @Test
    void aRebalanceThatDropsPartitionsIsNotNegativeInputAndTheWindowIsBounded() {
        LagHistory history = new LagHistory(3, Duration.ofSeconds(30));
        history.record(status(0, 100, 100, 100, 100), 0);
        history.record(status(0, 100, 100), 1000);
        assertThat(history.latest().inputRowsPerSecond()).isZero();
        history.record(status(0), 2000);
        assertThat(history.latest().totalLag()).as("unknown without partitions").isEqualTo(-1);
        history.record(status(0), 3000);
        assertThat(history.samples()).hasSize(3);
        assertThat(history.samples().get(0).epochMillis()).isEqualTo(1000);
    }

    @Test
    void aPipelineCommittingEveryFiveSecondsShowsItsRateBetweenCommitsWhenSampledEveryTwo() {
        LagHistory history = new LagHistory(100, Duration.ofSeconds(30));
        long committed = 0;
        for (long millis = 0; millis <= 60_000; millis += 2_000) {
            committed = millis / 5_000 * 15_000; // 3,000 rows/s arriving, committed in one batch every 5 s
            history.record(status(committed, millis * 3, committed), millis);
        }
        List<LagHistory.Sample> afterWarmUp = history.samples().stream().filter(s -> s.epochMillis() >= 30_000)
                .toList();
        assertThat(afterWarmUp).isNotEmpty().allSatisfy(s -> {
            assertThat(s.processedRowsPerSecond()).as("at %d ms", s.epochMillis()).isBetween(2_400.0, 3_600.0);
            assertThat(s.inputRowsPerSecond()).isEqualTo(3_000.0);
        });
    }

    @Test
    void aRunRestartedFromZeroCommittedDoesNotCountAsNegativeProgress() {
        LagHistory history = new LagHistory(10, Duration.ofSeconds(30));
        history.record(status(10_000, 10_000, 10_000), 0);
        history.record(status(0, 12_000, 10_000), 2_000); // a restarted run counts its commits from 0 again
        history.record(status(2_000, 14_000, 12_000), 4_000);
        assertThat(history.latest().processedRowsPerSecond()).isEqualTo(500.0); // 2,000 rows in 4 s
    }

    @Test
    void inputPerSecondIsTheCurrentRateNotAnAverageSinceStart() {
        // An hour at 1,000 records/s, then nothing for a minute: the overview's Input/s must read 0, not ~980.
        LagHistory history = new LagHistory(2_000, Duration.ofSeconds(30));
        long end = 0;
        for (long millis = 0; millis <= 3_600_000; millis += 2_000) {
            end = millis; // 1,000 records/s
            history.record(status(end, end, end), millis);
        }
        assertThat(history.latest().inputRowsPerSecond()).isEqualTo(1_000.0);
        for (long millis = 3_602_000; millis <= 3_660_000; millis += 2_000) {
            history.record(status(end, end, end), millis);
        }
        assertThat(history.latest().inputRowsPerSecond()).isZero();
        assertThat(history.latest().processedRowsPerSecond()).isZero();
    }
}
