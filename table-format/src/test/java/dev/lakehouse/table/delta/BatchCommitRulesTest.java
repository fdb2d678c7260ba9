package dev.lakehouse.table.delta;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.OffsetGapException;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.OffsetsMovedException;
import dev.lakehouse.table.StaleBatchException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchCommitRulesTest {

    private final Map<String, Long> txns = new HashMap<>();

    private long txn(String appId) {
        return txns.getOrDefault(appId, -1L);
    }

    private static BatchCommit batch(long id, long start, long next, BatchCommit.OffsetCheck check) {
        return new BatchCommit("orders", "a", id, List.of(), List.of(new OffsetRange("t", 0, start, next)), Map.of(),
                check);
    }

    @Test
    void aFirstBatchOnAnEmptyTableMayCommit() {
        assertThat(BatchCommitRules.check(batch(0, 0, 10, BatchCommit.OffsetCheck.CONTIGUOUS), this::txn, "t"))
                .isEmpty();
    }

    @Test
    void theCommittedBatchIdAgainIsADuplicate() {
        txns.put(BatchCommit.batchAppId("orders", "a"), 4L);
        assertThat(BatchCommitRules.check(batch(4, 0, 10, BatchCommit.OffsetCheck.CONTIGUOUS), this::txn, "t"))
                .hasValueSatisfying(o -> assertThat(o.status()).isEqualTo(CommitOutcome.Status.DUPLICATE_BATCH));
    }

    @Test
    void aLowerBatchIdIsStale() {
        txns.put(BatchCommit.batchAppId("orders", "a"), 4L);
        assertThatThrownBy(() -> BatchCommitRules.check(batch(3, 0, 10, BatchCommit.OffsetCheck.CONTIGUOUS),
                this::txn, "t")).isInstanceOf(StaleBatchException.class).hasMessageContaining("instance-id");
    }

    @Test
    void aRangeBelowTheTablesNextOffsetIsAReplay() {
        txns.put("orders/t/0", 10L);
        assertThat(BatchCommitRules.check(batch(1, 5, 12, BatchCommit.OffsetCheck.CONTIGUOUS), this::txn, "t"))
                .hasValueSatisfying(o -> assertThat(o.status()).isEqualTo(CommitOutcome.Status.REPLAYED_OFFSETS));
    }

    @Test
    void aRangeAboveTheTablesNextOffsetIsAGapUnlessOnlyForwardIsRequired() {
        txns.put("orders/t/0", 10L);
        assertThatThrownBy(() -> BatchCommitRules.check(batch(1, 12, 20, BatchCommit.OffsetCheck.CONTIGUOUS),
                this::txn, "t")).isInstanceOf(OffsetGapException.class).hasMessageContaining("offsets 10 to 11");
        assertThat(BatchCommitRules.check(batch(1, 12, 20, BatchCommit.OffsetCheck.FORWARD_ONLY), this::txn, "t"))
                .isEmpty();
    }

    private static BatchCommit reset(long id, long to, long replaced) {
        return BatchCommit.reset("orders", "a", id, List.of(new OffsetRange("t", 0, to, to)),
                Map.of("orders/t/0", replaced), Map.of());
    }

    @Test
    void aResetMayMoveAPartitionBackwardsWhenItReplacesTheTablesNextOffset() {
        txns.put("orders/t/0", 500L);
        assertThat(BatchCommitRules.check(reset(1, 0, 500), this::txn, "t")).isEmpty();
        txns.remove("orders/t/0");
        assertThat(BatchCommitRules.check(reset(1, 0, -1), this::txn, "t")).isEmpty();
    }

    @Test
    void aResetOfAPartitionAnotherCommitMovedIsRefusedNamingBothOffsets() {
        txns.put("orders/t/0", 650L);
        assertThatThrownBy(() -> BatchCommitRules.check(reset(1, 0, 500), this::txn, "t"))
                .isInstanceOf(OffsetsMovedException.class).hasMessageContaining("replaces next offset 500")
                .hasMessageContaining("now 650");
        txns.remove("orders/t/0");
        assertThatThrownBy(() -> BatchCommitRules.check(reset(1, 0, 500), this::txn, "t"))
                .isInstanceOf(OffsetsMovedException.class).hasMessageContaining("now -1");
    }

    @Test
    void aResetMustSayWhatItReplaces() {
        assertThatThrownBy(() -> new BatchCommit("orders", "a", 1, List.of(), List.of(new OffsetRange("t", 0, 0, 0)),
                Map.of(), BatchCommit.OffsetCheck.RESET)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orders/t/0");
    }
}
