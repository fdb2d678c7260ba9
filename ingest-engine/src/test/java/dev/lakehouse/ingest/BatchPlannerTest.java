package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_000_000));
    private final TopicPartition p0 = new TopicPartition("t", 0);
    private final TopicPartition p1 = new TopicPartition("t", 1);

    @Test
    void theOpenBatchCountsRecordsAndBytesFromItsFirstRecordAndKnowsWhetherItFollowsASeek() {
        BatchPlanner planner = new BatchPlanner(clock);
        assertThat(planner.openBatch().isEmpty()).isTrue();
        planner.track(p0, 0);
        clock.advance(Duration.ofSeconds(3));
        planner.add(p0, 0, 10, -1, clock.millis());
        planner.add(p0, 1, 5, -1, clock.millis());
        assertThat(planner.openBatch()).isEqualTo(new BatchTrigger.OpenBatch(2, 15, clock.millis(), true));
        planner.seal();
        planner.add(p0, 2, 1, -1, clock.millis());
        assertThat(planner.openBatch().firstSinceSeek()).as("the batch after the first one").isFalse();
        planner.track(p1, 0);
        assertThat(planner.openBatch().firstSinceSeek()).isTrue();
    }

    @Test
    void aBatchOpensWhenItsFirstRecordWasReadNotWhenItsConversionEnded() {
        BatchPlanner planner = new BatchPlanner(clock);
        planner.track(p0, 0);
        long readAt = clock.millis();
        clock.advance(Duration.ofSeconds(2)); // converting the first record created the table
        planner.add(p0, 0, 10, -1, readAt);
        assertThat(planner.openBatch().openedAtMillis()).isEqualTo(readAt);
        planner.add(p0, 1, 10, -1, clock.millis());
        assertThat(planner.openBatch().openedAtMillis()).as("later records leave it").isEqualTo(readAt);
    }

    @Test
    void rangesChainFromPositionsIncludeIdlePartitionsAndSkipMissingOffsets() {
        BatchPlanner planner = new BatchPlanner(clock);
        planner.track(p0, 100);
        planner.track(p1, 7);
        planner.add(p0, 100, 1, -1, clock.millis());
        planner.add(p0, 105, 1, -1, clock.millis()); // offsets 101-104 are transaction markers or compacted away
        BatchPlanner.PlannedBatch first = planner.seal();
        assertThat(first.ranges()).containsExactly(new OffsetRange("t", 0, 100, 106), new OffsetRange("t", 1, 7, 7));
        assertThat(first.records()).isEqualTo(2);

        planner.add(p1, 9, 1, -1, clock.millis());
        BatchPlanner.PlannedBatch second = planner.seal();
        assertThat(second.ranges()).containsExactly(new OffsetRange("t", 0, 106, 106), new OffsetRange("t", 1, 7, 10));
    }

    @Test
    void refusesRecordsBeforeThePositionOrAlreadyTakenAndOfUntrackedPartitions() {
        BatchPlanner planner = new BatchPlanner(clock);
        planner.track(p0, 50);
        assertThat(planner.accepts(p0, 49)).isFalse();
        assertThat(planner.accepts(p0, 50)).isTrue();
        planner.add(p0, 50, 1, -1, clock.millis());
        assertThat(planner.accepts(p0, 50)).isFalse();
        assertThat(planner.accepts(p1, 0)).isFalse();
    }

    @Test
    void discardingKeepsPositionsAtTheLastSealedBatch() {
        BatchPlanner planner = new BatchPlanner(clock);
        planner.track(p0, 0);
        planner.add(p0, 0, 1, -1, clock.millis());
        planner.seal();
        planner.add(p0, 1, 1, -1, clock.millis());
        planner.add(p0, 2, 1, -1, clock.millis());
        planner.discardOpen();
        assertThat(planner.isEmpty()).isTrue();
        assertThat(planner.accepts(p0, 1)).isTrue();
        assertThatThrownBy(planner::seal).isInstanceOf(IllegalStateException.class);
        planner.untrack(List.of(p0));
        assertThat(planner.tracked()).isEmpty();
    }

    @Test
    void aSealedBatchCarriesItsNewestKafkaTimestampAndTheNextBatchStartsAfresh() {
        BatchPlanner planner = new BatchPlanner(clock);
        planner.track(p0, 0);
        planner.track(p1, 0);
        planner.add(p0, 0, 1, 5_000, clock.millis());
        planner.add(p1, 0, 1, 9_000, clock.millis());
        planner.add(p0, 1, 1, 7_000, clock.millis()); // timestamps are per producer, not in offset order across partitions
        assertThat(planner.seal().newestRecordTimestampMillis()).isEqualTo(9_000);
        planner.add(p0, 2, 1, -1, clock.millis());
        assertThat(planner.seal().newestRecordTimestampMillis()).as("records without a timestamp").isEqualTo(-1);
    }
}
