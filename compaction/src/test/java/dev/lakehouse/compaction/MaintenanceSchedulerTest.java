package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.OffsetRange;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler's contract on an in-memory table: on-demand runs, their history, and failures that heal. */
class MaintenanceSchedulerTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Click").fields().requiredLong("id").endRecord();
    private static final CompactionSettings COMPACTION = new CompactionSettings(4L << 20, 3L << 20, 2);

    private final InMemoryLakeTable table = new InMemoryLakeTable("clicks");
    private final MaintenanceScheduler scheduler = new MaintenanceScheduler(1);
    private final LinkedBlockingQueue<MaintenanceRun> runs = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        scheduler.close();
    }

    /** Six batches of one row each: six small files. */
    private void smallFiles() {
        table.createIfAbsent(SCHEMA);
        for (long id = 0; id < 6; id++) {
            GenericRecord row = new GenericData.Record(SCHEMA);
            row.put("id", id);
            DataFileWriter writer = table.newDataFileWriter();
            writer.write(row);
            table.commit(new BatchCommit("clicks", "a", id, writer.finish(),
                    List.of(new OffsetRange("clicks", 0, id, id + 1)), Map.of()));
        }
    }

    private MaintenanceRun nextRun() throws InterruptedException {
        MaintenanceRun run = runs.poll(20, TimeUnit.SECONDS);
        assertThat(run).as("a run finished").isNotNull();
        return run;
    }

    private void register() {
        scheduler.add(new MaintenanceScheduler.TableMaintenance("clicks", table, COMPACTION, null, null,
                Vacuum.MIN_RETENTION));
        scheduler.addRunListener((name, run) -> runs.add(run));
        scheduler.start();
    }

    @Test
    void anOnDemandCompactionRewritesTheSmallFilesKeepsTheRowsAndIsRecorded() throws InterruptedException {
        smallFiles();
        register();

        scheduler.compactNow("clicks");
        MaintenanceRun run = nextRun();

        assertThat(run.kind()).isEqualTo(MaintenanceKind.COMPACTION);
        assertThat(run.outcome()).isEqualTo(MaintenanceOutcome.COMPACTED);
        assertThat(run.filesBefore()).isEqualTo(6);
        assertThat(table.snapshot().files()).hasSize(1);
        assertThat(table.rows()).extracting(r -> r.get("id")).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(scheduler.recentRuns("clicks")).containsExactly(run);
    }

    @Test
    void aFailedRunIsRecordedAndTheNextOneStillRuns() throws InterruptedException {
        smallFiles();
        table.failNextCommits(1, () -> new UncheckedIOException("storage down", new java.io.IOException("down")));
        register();

        scheduler.compactNow("clicks");
        MaintenanceRun failed = nextRun();
        scheduler.compactNow("clicks");
        MaintenanceRun healed = nextRun();

        assertThat(failed.outcome()).isEqualTo(MaintenanceOutcome.FAILED);
        assertThat(failed.detail()).contains("storage down");
        assertThat(healed.outcome()).isEqualTo(MaintenanceOutcome.COMPACTED);
        assertThat(scheduler.recentRuns("clicks")).as("newest first").containsExactly(healed, failed);
    }

    @Test
    void anUnknownOrDuplicateTableIsRefusedNamingTheKnownOnes() {
        register();
        assertThatThrownBy(() -> scheduler.compactNow("orders")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[clicks]");
        assertThatThrownBy(() -> scheduler.add(new MaintenanceScheduler.TableMaintenance("clicks", table,
                COMPACTION, MaintenanceScheduler.Schedule.every(Duration.ofHours(1)), null, Vacuum.MIN_RETENTION)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFirstRunsOfHundredsOfTablesSpreadOverTheIntervalAfterTheFirstAndAreStable() {
        java.time.Duration interval = java.time.Duration.ofMinutes(10);
        int[] perMinute = new int[10];
        for (int i = 0; i < 500; i++) {
            String table = "raw.shop.public.table_" + i;
            long delay = MaintenanceScheduler.firstRunDelayMillis(table, interval);
            org.assertj.core.api.Assertions.assertThat(delay).as(table).isBetween(interval.toMillis(),
                    2 * interval.toMillis() - 1);
            org.assertj.core.api.Assertions.assertThat(MaintenanceScheduler.firstRunDelayMillis(table, interval))
                    .as("the same phase after a restart").isEqualTo(delay);
            perMinute[(int) ((delay - interval.toMillis()) / 60_000)]++;
        }
        // 50 a minute if even; no minute of the ten holds more than twice that, none is empty.
        org.assertj.core.api.Assertions.assertThat(java.util.Arrays.stream(perMinute).boxed().toList()).allSatisfy(n ->
                org.assertj.core.api.Assertions.assertThat(n).isBetween(10, 100));
    }
}
