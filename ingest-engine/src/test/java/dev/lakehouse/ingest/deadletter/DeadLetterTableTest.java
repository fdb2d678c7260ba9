package dev.lakehouse.ingest.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.CommitFailedException;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writing dead letters again after a commit whose outcome the writer did not learn. */
class DeadLetterTableTest {

    private final InMemoryLakeTable letters = new InMemoryLakeTable("clicks_dead_letters");
    private final DeadLetterTable table = new DeadLetterTable(letters, "clicks",
            new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));

    private static DeadLetterBatch batch(long batchId, long from, long to) {
        List<DeadLetter> list = new java.util.ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            list.add(new DeadLetter("clicks", 0, offset, -1, "NoTimestampType", null,
                    "not json".getBytes(StandardCharsets.UTF_8), List.of(), DeadLetterReason.INVALID_JSON, "bad", ""));
        }
        return new DeadLetterBatch("clicks", "appliance-1", batchId, List.of(new OffsetRange("clicks", 0, from, to)),
                list);
    }

    @Test
    void aBatchWhoseCommitLandedButReportedAFailureIsWrittenAgainAsNothingNotAsAnotherProcess() {
        // The commit lands, then the call fails (a timeout after the log entry became durable).
        letters.afterNextCommit(() -> {
            throw new CommitFailedException("storage did not answer", null);
        });
        assertThatThrownBy(() -> table.write(batch(7, 0, 3))).isInstanceOf(CommitFailedException.class);

        table.write(batch(7, 0, 3)); // the writer's retry of the same batch

        assertThat(table.replayMarks().states()).extracting(ReplayMarks.LetterState::offset).containsExactly(0L, 1L, 2L);
        table.write(batch(8, 3, 5)); // and the next batch goes on
        assertThat(table.replayMarks().states()).hasSize(5);
    }
}
