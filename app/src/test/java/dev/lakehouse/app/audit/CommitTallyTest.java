package dev.lakehouse.app.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.TableCommit;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommitTallyTest {

    private static CommitTally append(long version, long inputRows, long rows, long letters) {
        return new CommitTally(new TableCommit(version, Instant.EPOCH, "STREAMING UPDATE",
                Map.of("inputRows", Long.toString(inputRows), "deadLetters", Long.toString(letters)),
                Map.of("numOutputRows", Long.toString(rows)), "lakehouse"));
    }

    @Test
    void aLetterStoredByAnAttemptThatCrashedBeforeItsCommitCountsForTheCommitThatTookItsOffset() {
        // Offsets 0-9: 10 data records. A first attempt stored the letter at 4, then the process was killed before
        // its commit; the next attempt found it stored, wrote 9 rows and counted no letter of its own.
        AuditedPartition partition = new AuditedPartition("orders", 0);
        CommitTally commit = append(3, 10, 9, 0);
        partition.ranges.add(new CommitTally.Range(0, 10, commit));
        partition.startTallies();
        for (long offset = 0; offset < 10; offset++) {
            partition.kafkaRecord(offset);
            if (offset != 4) {
                partition.row(offset);
            }
        }
        partition.letter(4, false);

        assertThat(commit.countProblem(true)).as("letters found by offset").isNull();
        assertThat(commit.countProblem(false)).as("by the commit's own count").isEqualTo("version 3: Kafka holds 10 "
                + "data records in its ranges, the commit wrote 9 rows and 0 dead letters are stored for them");
        assertThat(partition.missing().isEmpty()).isTrue();
    }

    @Test
    void aBatchThatReadFewerRecordsThanKafkaHoldsInItsRangeIsNamed() {
        AuditedPartition partition = new AuditedPartition("orders", 0);
        CommitTally commit = append(7, 8, 8, 0);
        partition.ranges.add(new CommitTally.Range(100, 112, commit));
        partition.startTallies();
        for (long offset = 100; offset < 110; offset++) {
            partition.kafkaRecord(offset); // 10 data records, then 2 offsets of transaction markers
        }

        assertThat(commit.countProblem(true)).isEqualTo("version 7: Kafka holds 10 data records in its ranges, the "
                + "batch says it read 8");
        assertThat(partition.controlOrAborted(100)).isEqualTo(2);
    }

    @Test
    void aMergeIsCheckedByTheRecordsItRead() {
        CommitTally merge = new CommitTally(new TableCommit(9, Instant.EPOCH, "MERGE",
                Map.of("inputRows", "5", "deadLetters", "0"), Map.of("numTargetRowsInserted", "2"), "lakehouse"));
        merge.kafkaRecords = 5;
        assertThat(merge.countProblem(true)).as("rows replace others by key: not counted").isNull();
    }
}
