package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.OffsetRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final TopicPartition p0 = new TopicPartition("t", 0);
    private final TopicPartition p1 = new TopicPartition("t", 1);

    @Test
    void closesAtMaxRecordsAndMaxBytes() {
        BatchPlanner byRecords = new BatchPlanner(3, Long.MAX_VALUE, Duration.ofHours(1), clock);
        byRecords.track(p0, 0);
        byRecords.add(p0, 0, 10);
        byRecords.add(p0, 1, 10);
        assertThat(byRecords.full()).isFalse();
        byRecords.add(p0, 2, 10);
        assertThat(byRecords.full()).isTrue();

        BatchPlanner byBytes = new BatchPlanner(1_000, 25, Duration.ofHours(1), clock);
        byBytes.track(p0, 0);
        byBytes.add(p0, 0, 20);
        assertThat(byBytes.full()).isFalse();
        byBytes.add(p0, 1, 5);
        assertThat(byBytes.full()).isTrue();
    }

    @Test
    void isDueTheIntervalAfterItsFirstRecordNotBefore() {
        BatchPlanner planner = new BatchPlanner(1_000, Long.MAX_VALUE, Duration.ofSeconds(5), clock);
        planner.track(p0, 0);
        now.addAndGet(60_000);
        assertThat(planner.due()).as("an empty batch is never due").isFalse();
        assertThat(planner.millisUntilDue()).isEqualTo(Long.MAX_VALUE);
        planner.add(p0, 0, 1);
        now.addAndGet(4_999);
        assertThat(planner.due()).isFalse();
        assertThat(planner.millisUntilDue()).isEqualTo(1);
        now.addAndGet(1);
        assertThat(planner.due()).isTrue();
    }

    @Test
    void rangesChainFromPositionsIncludeIdlePartitionsAndSkipMissingOffsets() {
        BatchPlanner planner = new BatchPlanner(1_000, Long.MAX_VALUE, Duration.ofSeconds(1), clock);
        planner.track(p0, 100);
        planner.track(p1, 7);
        planner.add(p0, 100, 1);
        planner.add(p0, 105, 1); // offsets 101-104 are transaction markers or compacted away
        BatchPlanner.PlannedBatch first = planner.seal();
        assertThat(first.ranges()).containsExactly(new OffsetRange("t", 0, 100, 106), new OffsetRange("t", 1, 7, 7));
        assertThat(first.records()).isEqualTo(2);

        planner.add(p1, 9, 1);
        BatchPlanner.PlannedBatch second = planner.seal();
        assertThat(second.ranges()).containsExactly(new OffsetRange("t", 0, 106, 106), new OffsetRange("t", 1, 7, 10));
    }

    @Test
    void refusesRecordsBeforeThePositionOrAlreadyTakenAndOfUntrackedPartitions() {
        BatchPlanner planner = new BatchPlanner(1_000, Long.MAX_VALUE, Duration.ofSeconds(1), clock);
        planner.track(p0, 50);
        assertThat(planner.accepts(p0, 49)).isFalse();
        assertThat(planner.accepts(p0, 50)).isTrue();
        planner.add(p0, 50, 1);
        assertThat(planner.accepts(p0, 50)).isFalse();
        assertThat(planner.accepts(p1, 0)).isFalse();
    }

    @Test
    void discardingKeepsPositionsAtTheLastSealedBatch() {
        BatchPlanner planner = new BatchPlanner(1_000, Long.MAX_VALUE, Duration.ofSeconds(1), clock);
        planner.track(p0, 0);
        planner.add(p0, 0, 1);
        planner.seal();
        planner.add(p0, 1, 1);
        planner.add(p0, 2, 1);
        planner.discardOpen();
        assertThat(planner.isEmpty()).isTrue();
        assertThat(planner.accepts(p0, 1)).isTrue();
        assertThatThrownBy(planner::seal).isInstanceOf(IllegalStateException.class);
        planner.untrack(List.of(p0));
        assertThat(planner.tracked()).isEmpty();
    }
}
