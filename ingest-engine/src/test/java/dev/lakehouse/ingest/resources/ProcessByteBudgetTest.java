package dev.lakehouse.ingest.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ProcessByteBudgetTest {

    @Test
    void sharersTogetherHoldNoMoreThanTheLimit() throws InterruptedException {
        ProcessByteBudget budget = new ProcessByteBudget(100);

        assertThat(budget.take(60, 0)).isTrue();
        assertThat(budget.take(40, 0)).isTrue();
        assertThat(budget.take(1, 0)).as("the limit is reached").isFalse();
        budget.release(40);
        assertThat(budget.take(30, 0)).isTrue();
        assertThat(budget.held()).isEqualTo(90);
    }

    @Test
    void aChunkLargerThanTheWholeLimitGoesAloneAndOnlyAlone() throws InterruptedException {
        ProcessByteBudget budget = new ProcessByteBudget(100);

        assertThat(budget.take(10, 0)).isTrue();
        assertThat(budget.take(500, 0)).as("not while anything else is held").isFalse();
        budget.release(10);
        assertThat(budget.take(500, 0)).isTrue();
        assertThat(budget.held()).isEqualTo(500);
    }

    @Test
    void aWaitingTakerIsLetInWhenBytesAreGivenBack() throws InterruptedException {
        ProcessByteBudget budget = new ProcessByteBudget(100);
        assertThat(budget.take(100, 0)).isTrue();
        AtomicBoolean taken = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                taken.set(budget.take(50, TimeUnit.MINUTES.toMillis(5)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        waiter.start();

        budget.release(60);

        assertThat(done.await(5, TimeUnit.MINUTES)).isTrue();
        assertThat(taken).isTrue();
        assertThat(budget.held()).isEqualTo(90);
    }

    @Test
    void aPipelineConfiguredToHoldMoreRaisesTheLimit() {
        ProcessByteBudget budget = new ProcessByteBudget(100);

        budget.admit(50);
        assertThat(budget.limit()).isEqualTo(100);
        budget.admit(1_000);
        assertThat(budget.limit()).isEqualTo(1_000);
    }

    @Test
    void overItsOpenFileLimitOnlyTheTableHoldingTheMostIsAskedToCommitEarly() {
        ProcessByteBudget budget = new ProcessByteBudget(100, 1_000);
        Object small = new Object();
        Object large = new Object();
        budget.openFiles(small, 300);
        budget.openFiles(large, 600);
        assertThat(budget.commitEarly(large)).as("within the limit").isFalse();

        budget.openFiles(large, 800);
        assertThat(budget.openFileBytes()).isEqualTo(1_100);
        assertThat(budget.commitEarly(large)).isTrue();
        assertThat(budget.commitEarly(small)).isFalse();
        assertThat(budget.commitEarly(new Object())).as("a writer with no open files").isFalse();

        budget.openFiles(large, 0); // committed
        assertThat(budget.openFileBytes()).isEqualTo(300);
        assertThat(budget.commitEarly(small)).isFalse();
        assertThat(budget.held()).as("a ledger of its own: takes are not held back").isZero();
    }
}
