package dev.lakehouse.ingest;

import dev.lakehouse.ingest.resources.ProcessByteBudget;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.settings.PipelineSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.OffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * What the hand-off counts against the process's byte budget, and that all of it comes back; that many writers share
 * a pool's threads, each in its own order.
 */
class WriterHandOffTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields().requiredLong("id").endRecord();

    private final ProcessByteBudget process = new ProcessByteBudget(1 << 20);
    private final PipelineSettings settings = PipelineSettings.builder("orders").instanceId("a").topics(List.of("t"))
            .bootstrapServers("unused:9092").processByteBudget(process).build();

    private static BatchWriter.Task.Rows rows(long bytes) {
        GenericRecord row = new GenericData.Record(SCHEMA);
        row.put("id", 1L);
        return new BatchWriter.Task.Rows(SCHEMA, List.of(row), bytes);
    }

    @Test
    void tasksAWriterNeverHandledGiveTheirBytesBackToTheProcessWhenItStops() {
        // The writer thread is never started, as when it failed before taking these tasks.
        WriterHandOff handOff = new WriterHandOff(settings, new InMemoryLakeTable("orders"), DeadLetterDestination.none(),
                progress -> { });
        handOff.put(rows(1_000));
        handOff.put(rows(2_000));
        assertThat(process.held()).isEqualTo(3_000);

        handOff.stop(false);

        assertThat(process.held()).as("nothing left held for the other pipelines").isZero();
    }

    @Test
    void aHundredWritersShareOnePoolThreadAndEachCommitsItsBatchesInOrder() throws Exception {
        WriterPool pool = new WriterPool(1);
        List<InMemoryLakeTable> tables = new ArrayList<>();
        List<WriterHandOff> handOffs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            PipelineSettings own = PipelineSettings.builder("orders-" + i).instanceId("a").topics(List.of("t" + i))
                    .bootstrapServers("unused:9092").processByteBudget(process).writerPool(pool).build();
            InMemoryLakeTable table = new InMemoryLakeTable("orders-" + i);
            table.createIfAbsent(SCHEMA);
            WriterHandOff handOff = new WriterHandOff(own, table, DeadLetterDestination.none(), progress -> { });
            handOff.start();
            tables.add(table);
            handOffs.add(handOff);
        }
        for (int batch = 0; batch < 3; batch++) {
            for (int i = 0; i < handOffs.size(); i++) {
                handOffs.get(i).put(rows(10));
                handOffs.get(i).put(seal("t" + i, batch));
            }
        }
        for (WriterHandOff handOff : handOffs) {
            handOff.barrier();
        }

        for (int i = 0; i < handOffs.size(); i++) {
            List<Long> committed = new ArrayList<>();
            BatchWriter.Result result;
            while ((result = handOffs.get(i).nextResult()) != null) {
                assertThat(result.committed()).isTrue();
                committed.add(result.progress().batchId());
            }
            assertThat(committed).as("writer %d's batches, in order", i).containsExactly(0L, 1L, 2L);
            assertThat(tables.get(i).txnVersion("orders-" + i + "/t" + i + "/0")).isEqualTo(3);
            handOffs.get(i).stop(true);
        }
        assertThat(pool.liveThreads()).as("threads of a pool of one").isLessThanOrEqualTo(1);
        assertThat(process.held()).isZero();
    }

    private static BatchWriter.Task.Seal seal(String topic, long batch) {
        BatchPlanner.PlannedBatch planned = new BatchPlanner.PlannedBatch(
                List.of(new OffsetRange(topic, 0, batch, batch + 1)), 1, 10, 0, 0, 0, -1);
        return new BatchWriter.Task.Seal(batch, planned, List.of(), 0, Map.of(), 0);
    }
}
