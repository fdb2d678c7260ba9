package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SideBySideCreationTest {

    @Test
    void creationsRunTogetherOnThePoolAndAllHaveEndedWhenItReturns() {
        try (SideBySideCreation creation = new SideBySideCreation("p", 3)) {
            CountDownLatch allStarted = new CountDownLatch(3);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            AtomicInteger ended = new AtomicInteger();
            List<Runnable> work = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                work.add(() -> {
                    threads.add(Thread.currentThread().getName());
                    allStarted.countDown();
                    try {
                        // Each waits for the others: only side by side do they all get past this.
                        assertThat(allStarted.await(30, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ended.incrementAndGet();
                });
            }

            creation.runAll(work);

            assertThat(ended).hasValue(3);
            assertThat(threads).hasSize(3).allMatch(name -> name.startsWith("lakehouse-p-create-"));
        }
    }

    @Test
    void aSingleCreationRunsOnTheCallingThread() {
        try (SideBySideCreation creation = new SideBySideCreation("p", 2)) {
            List<String> ranOn = new ArrayList<>();
            creation.runAll(List.of(() -> ranOn.add(Thread.currentThread().getName())));
            assertThat(ranOn).containsExactly(Thread.currentThread().getName());
        }
    }

    @Test
    void anErrorInACreationReachesTheCaller() {
        try (SideBySideCreation creation = new SideBySideCreation("p", 2)) {
            assertThatThrownBy(() -> creation.runAll(List.of(() -> { }, () -> {
                throw new OutOfMemoryError("test");
            }))).isInstanceOf(OutOfMemoryError.class).hasMessage("test");
        }
    }
}
