package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.console.HealthCheck;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
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
