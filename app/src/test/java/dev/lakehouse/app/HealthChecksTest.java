package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.console.HealthCheck;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.ingest.status.FreshnessObjective;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class HealthChecksTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));
    private PipelineStatus status;
    private boolean inGroup = true;

    @Test
    void aPipelineCommittingRecordsFarBehindItsTopicIsNotReadyOnlyWithTheFreshnessRule() {
        // Committed 10 s ago, but the newest committed record was sent 10 minutes ago and 50,000 records wait.
        status = new PipelineStatus("orders", PipelineState.RUNNING, null, 10, 1_000, clock.instant().minusSeconds(10),
                List.of(new PartitionLag("orders", 0, 1_000, 51_000, 50_000)), clock.instant().minusSeconds(600));

        HealthCheck.Result withRule = HealthChecks.freshness(view(), Duration.ofMinutes(5), Duration.ofMinutes(2),
                clock).check();
        HealthCheck.Result withoutRule = HealthChecks.freshness(view(), Duration.ofMinutes(5), null, clock).check();

        assertThat(withRule.up()).isFalse();
        assertThat(withRule.detail()).contains("newest committed record is 600 s old (limit 120 s)");
        assertThat(withoutRule.up()).isTrue();
        assertThat(withoutRule.detail()).contains("freshness 600 s");
    }

    @Test
    void withTheObjectiveRuleAPipelineIsNotReadyWhileItsObjectiveIsBreachedAndRecordsWaitLate() {
        FreshnessObjective objective = FreshnessObjective.parse("95% within 10s", Duration.ofHours(1));
        // 900 of 1,000 records judged were in time, and 200 more wait already late: 75 % against 95 %.
        status = new PipelineStatus("orders", PipelineState.RUNNING, null, 10, 1_000, clock.instant().minusSeconds(2),
                List.of(new PartitionLag("orders", 0, 1_000, 1_200, 200)), clock.instant().minusSeconds(30),
                new FreshnessCompliance(objective, 1_200, 900, 200));

        HealthCheck.Result withRule = HealthChecks.freshness(view(), Duration.ofMinutes(5), null, true, clock).check();
        HealthCheck.Result withoutRule = HealthChecks.freshness(view(), Duration.ofMinutes(5), null, false, clock)
                .check();

        assertThat(withRule.up()).isFalse();
        assertThat(withRule.detail()).isEqualTo("freshness objective 95% within 10s breached: 75.00 % of 1200 "
                + "records in time over the last 1 h, and 200 records wait past its time");
        assertThat(withoutRule.up()).isTrue();
    }

    @Test
    void withTheObjectiveRuleAPipelineThatCaughtUpIsReadyThoughItsWindowRemembersTheBreach() {
        FreshnessObjective objective = FreshnessObjective.parse("95% within 10s", Duration.ofMinutes(30));
        status = new PipelineStatus("orders", PipelineState.RUNNING, null, 10, 1_000, clock.instant().minusSeconds(2),
                List.of(new PartitionLag("orders", 0, 1_200, 1_200, 0)), clock.instant().minusSeconds(2),
                new FreshnessCompliance(objective, 1_200, 900, 0));

        HealthCheck.Result result = HealthChecks.freshness(view(), Duration.ofMinutes(5), null, true, clock).check();

        assertThat(status.freshnessObjective().met()).isFalse();
        assertThat(result.up()).as(result.detail()).isTrue();
    }

    @Test
    void anIdleTopicIsReadyHoweverOldItsNewestRecord() {
        status = new PipelineStatus("orders", PipelineState.RUNNING, null, 10, 1_000, clock.instant().minusSeconds(3600),
                List.of(new PartitionLag("orders", 0, 1_000, 1_000, 0)), clock.instant().minusSeconds(3600));
        assertThat(HealthChecks.freshness(view(), Duration.ofMinutes(5), Duration.ofMinutes(2), clock).check().up())
                .isTrue();
    }

    @Test
    void aPipelineIsNotReadyBeforeItsConsumerHasJoinedAndPositionedItsPartitions() {
        status = new PipelineStatus("orders", PipelineState.RUNNING, null, 0, 0, null, List.of());
        inGroup = false;
        HealthCheck.Result joining = HealthChecks.freshness(view(), Duration.ofMinutes(5), null, clock).check();
        inGroup = true;
        HealthCheck.Result joined = HealthChecks.freshness(view(), Duration.ofMinutes(5), null, clock).check();

        assertThat(joining.up()).isFalse();
        assertThat(joining.detail()).contains("joining the consumer group");
        assertThat(joined.up()).as("also with no partition: the group gave this member none").isTrue();
    }

    private PipelineView view() {
        return new PipelineView() {
            @Override
            public String name() {
                return "orders";
            }

            @Override
            public PipelineStatus status() {
                return status;
            }

            @Override
            public List<BatchProgress> recentProgress() {
                return List.of();
            }

            @Override
            public LakeTable table() {
                throw new UnsupportedOperationException("not read by the check");
            }

            @Override
            public String deadLetterDestination() {
                return "none";
            }

            @Override
            public boolean isPaused() {
                return false;
            }

            @Override
            public boolean inGroup() {
                return inGroup;
            }

            @Override
            public void pause() {
            }

            @Override
            public void resume() {
            }

            @Override
            public void addProgressListener(Consumer<BatchProgress> listener) {
            }

            @Override
            public void addConsumerListener(ConsumerListener listener) {
            }
        };
    }
}
