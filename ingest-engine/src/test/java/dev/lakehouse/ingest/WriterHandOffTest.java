package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.table.InMemoryLakeTable;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** What the hand-off counts against the process's byte budget, and that all of it comes back. */
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
}
