package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.BatchOutcome;
import dev.lakehouse.ingest.status.BatchProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.OffsetRange;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The writer thread's commit rules, run on the test thread against an in-memory table. */
class BatchWriterTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields().requiredLong("id").endRecord();

    private final InMemoryLakeTable table = new InMemoryLakeTable("orders");
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final BlockingQueue<BatchWriter.Task> tasks = new ArrayBlockingQueue<>(64);
    private final BlockingQueue<BatchWriter.Result> results = new LinkedBlockingQueue<>();
    private final List<BatchProgress> progress = new ArrayList<>();
    private final PipelineSettings settings = PipelineSettings.builder("orders").instanceId("a")
            .topics(List.of("t")).bootstrapServers("unused:9092").build();
    private final BatchWriter writer = new BatchWriter(settings, table, deadLetters, tasks, results, progress::add,
            bytes -> { });

    private static GenericRecord order(long id) {
        GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("id", id);
        return record;
    }

    private static BatchWriter.Task.Rows rows(long... ids) {
        List<GenericRecord> rows = new ArrayList<>();
        for (long id : ids) {
            rows.add(order(id));
        }
        return new BatchWriter.Task.Rows(SCHEMA, rows, rows.size() * 10L);
    }

    private static BatchWriter.Task.Seal seal(long batchId, long start, long next, DeadLetter... letters) {
        BatchPlanner.PlannedBatch batch = new BatchPlanner.PlannedBatch(
                List.of(new OffsetRange("t", 0, start, next)), next - start, (next - start) * 10, 0, 0, 0, -1);
        return new BatchWriter.Task.Seal(batchId, batch, List.of(letters), 0, Map.of(), 0);
    }

    private static DeadLetter letter(long offset) {
        return new DeadLetter("t", 0, offset, -1, "NoTimestampType", null, new byte[] {1}, List.of(),
                DeadLetterReason.WRONG_MAGIC_BYTE, "t-0@" + offset + ": not Avro", "");
    }

    /** Runs the writer over the queued tasks and a shutdown, on this thread. */
    private List<BatchWriter.Result> runWriter(BatchWriter.Task... queued) {
        tasks.addAll(List.of(queued));
        tasks.add(new BatchWriter.Task.Shutdown());
        assertThat(writer.drain(Long.MAX_VALUE)).as("the shutdown ended the writer").isTrue();
        List<BatchWriter.Result> drained = new ArrayList<>();
        results.drainTo(drained);
        return drained;
    }

    @Test
    void aSealedBatchIsCommittedWithItsOffsetsAfterItsDeadLettersAreStored() {
        table.createIfAbsent(SCHEMA);
        List<BatchWriter.Result> done = runWriter(rows(1, 2), seal(0, 0, 3, letter(1)));

        assertThat(done).singleElement().satisfies(r -> {
            assertThat(r.committed()).isTrue();
            assertThat(r.progress().outcome()).isEqualTo(BatchOutcome.COMMITTED);
            assertThat(r.progress().deadLettersByReason()).containsEntry("WRONG_MAGIC_BYTE", 1);
        });
        assertThat(table.rows()).extracting(r -> r.get("id")).containsExactly(1L, 2L);
        assertThat(table.txnVersion("orders/t/0")).isEqualTo(3);
        assertThat(table.txnVersion(BatchCommit.batchAppId("orders", "a"))).isZero();
        assertThat(deadLetters.letters()).extracting(DeadLetter::offset).containsExactly(1L);
        assertThat(progress).hasSize(1);
    }

    @Test
    void aCommitThatFailsLeavesTheDeadLettersStoredAndTheRowsOut() {
        table.createIfAbsent(SCHEMA);
        table.failNextCommits(1, () -> new UncheckedIOException("storage down", new java.io.IOException("down")));
        List<BatchWriter.Result> done = runWriter(rows(1), seal(0, 0, 2, letter(1)));

        assertThat(done).isEmpty();
        assertThat(writer.failure()).isInstanceOf(UncheckedIOException.class);
        assertThat(table.rows()).isEmpty();
        assertThat(deadLetters.letters()).hasSize(1);
    }

    @Test
    void aBatchIdTheTableHoldsIsNotCommittedAndLaterWorkIsDroppedUntilTheBarrier() {
        table.createIfAbsent(SCHEMA);
        table.commit(new BatchCommit("orders", "a", 0, List.of(), List.of(new OffsetRange("t", 0, 0, 5)), Map.of()));
        CompletableFuture<Void> barrier = new CompletableFuture<>();

        List<BatchWriter.Result> done = runWriter(rows(1), seal(0, 5, 6),
                rows(2), seal(1, 6, 7),
                new BatchWriter.Task.Barrier(barrier),
                rows(3), seal(1, 5, 6));

        assertThat(done).extracting(r -> r.progress().outcome())
                .containsExactly(BatchOutcome.DUPLICATE_BATCH, BatchOutcome.COMMITTED);
        assertThat(done.get(0).committed()).isFalse();
        assertThat(barrier).isCompleted();
        assertThat(table.rows()).extracting(r -> r.get("id")).containsExactly(3L);
        assertThat(table.txnVersion("orders/t/0")).isEqualTo(6);
    }

    @Test
    void aBatchThatWouldLeaveAGapIsNotCommitted() {
        table.createIfAbsent(SCHEMA);
        table.commit(new BatchCommit("orders", "a", 0, List.of(), List.of(new OffsetRange("t", 0, 0, 5)), Map.of()));

        List<BatchWriter.Result> done = runWriter(rows(1), seal(1, 7, 8));

        assertThat(done).singleElement().satisfies(r -> {
            assertThat(r.committed()).isFalse();
            assertThat(r.progress().outcome()).isEqualTo(BatchOutcome.OFFSET_GAP);
        });
        assertThat(table.rows()).isEmpty();
    }

    @Test
    void onlyDeadLettersBeforeTheTableExistsAreStoredAndTheBatchIsDoneWith() {
        List<BatchWriter.Result> done = runWriter(seal(0, 0, 2, letter(0), letter(1)));

        assertThat(done).singleElement().satisfies(r -> {
            assertThat(r.committed()).isTrue();
            assertThat(r.progress().outcome()).isEqualTo(BatchOutcome.NO_TABLE_YET);
        });
        assertThat(table.exists()).isFalse();
        assertThat(deadLetters.letters()).hasSize(2);
    }
}
