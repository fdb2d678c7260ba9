package dev.lakehouse.table.storage;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.FileRewrite;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.LeasedLakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.SourceFact;
import dev.lakehouse.table.SourcePartition;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.TestTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer lease's rules for its own owner name, on a real file system: a live holder (still renewing) refuses a
 * second process with the same name; a dead one (renewals stopped) is taken over before its lease expires.
 */
class WriterLeaseIT {

    private static final Duration TTL = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theSameOwnerIsRefusedWhileTheHolderKeepsRenewing() throws Exception {
        TableOptions options = TableOptions.builder(dir.resolve("t").toUri().toString()).build();
        WriterLease holder = WriterLease.acquire(options, "appliance-1", TTL, Duration.ZERO, Clock.systemUTC());
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();
        try {
            long every = holder.renewInterval().toMillis();
            renewer.scheduleWithFixedDelay(holder::renew, every, every, TimeUnit.MILLISECONDS);
            assertThatThrownBy(() -> WriterLease.acquire(options, "appliance-1", TTL, Duration.ZERO,
                    Clock.systemUTC()))
                    .isInstanceOf(WriterLeaseHeldException.class)
                    .hasMessageContaining("another live process under this appliance's own name 'appliance-1'")
                    .hasMessageContaining("/" + ProcessHandle.current().pid());
            assertThat(holder.isValid()).as("the live holder keeps its lease").isTrue();
        } finally {
            renewer.shutdownNow();
            holder.close();
        }
    }

    @Test
    void theSameOwnerTakesALeaseWhoseRenewalsStoppedLongBeforeItExpires() {
        TableOptions options = TableOptions.builder(dir.resolve("t").toUri().toString()).build();
        WriterLease crashed = WriterLease.acquire(options, "appliance-1", TTL, Duration.ZERO, Clock.systemUTC());
        // Never renewed nor released: what a kill -9 leaves behind.
        long start = System.nanoTime();
        WriterLease restarted = WriterLease.acquire(options, "appliance-1", TTL, Duration.ZERO, Clock.systemUTC());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        try {
            assertThat(restarted.isValid()).isTrue();
            assertThat(tookMillis).as("waited for one overdue renewal, not for the %s expiry", TTL)
                    .isLessThan(TTL.toMillis());
            assertThatThrownBy(crashed::renew).as("the old holder, were it alive, finds its lease gone")
                    .isInstanceOf(WriterLeaseHeldException.class);
        } finally {
            restarted.close();
        }
    }

    @Test
    void everyWriteOfALeasedTableNeedsTheLeaseAndReadsDoNot() {
        TableOptions options = TestTables.options(dir.resolve("leased")).build();
        WriterLease lease = WriterLease.acquire(options, "appliance-1", TTL, Duration.ZERO, Clock.systemUTC());
        LakeTable table = new LeasedLakeTable(LakeTable.open(options), lease);
        org.apache.avro.Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        java.util.List<DataFile> files = TestTables.write(table, TestTables.events(schema, 0, 10));
        table.commit(new BatchCommit("p", "i", 0, files, java.util.List.of(new OffsetRange("t", 0, 0, 10)),
                java.util.Map.of()));
        lease.close();

        java.util.List<DataFile> more = TestTables.write(table, TestTables.events(schema, 10, 20));
        java.util.List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> writes = java.util.List.of(
                () -> table.commit(new BatchCommit("p", "i", 1, more,
                        java.util.List.of(new OffsetRange("t", 0, 10, 20)), java.util.Map.of())),
                () -> table.rewrite(new FileRewrite(files, more, false, "OPTIMIZE", java.util.Map.of(),
                        java.util.Map.of())),
                () -> table.evolveSchema(TestTables.eventSchema()),
                () -> table.createIfAbsent(TestTables.eventSchema()),
                () -> table.recordSourceFacts(java.util.Map.of(
                        SourceFact.topicId(new SourcePartition("p", "t", 0)), "id")),
                () -> table.vacuum(Duration.ofDays(7), false));
        for (var write : writes) {
            assertThatThrownBy(write).isInstanceOf(WriterLeaseHeldException.class)
                    .hasMessageContaining("released the writer lease");
        }
        assertThat(table.snapshot().totalRecords()).isEqualTo(10);
        assertThat(table.txnVersion("p/t/0")).isEqualTo(10);
        assertThat(table.vacuum(Duration.ofDays(7), true)).as("a dry run writes nothing").isNotNull();
    }
}
