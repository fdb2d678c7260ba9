package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OffsetAudit} on real Delta tables: the offsets a healthy history took are covered exactly once, a
 * partition taken twice (a renamed pipeline starting over) and a range that skips records are found and named, and
 * a skip of offsets retention deleted and a recreated topic's start-over are explained, not flagged.
 */
class OffsetAuditIT {

    @TempDir
    Path dir;

    private LakeTable table;
    private Schema schema;
    /** Batch ids increase per (pipeline, instance): one sequence per pipeline here, all under instance "a". */
    private final Map<String, Long> batchIds = new java.util.HashMap<>();

    private long nextBatchId(String pipeline) {
        return batchIds.merge(pipeline, 1L, Long::sum);
    }

    @BeforeEach
    void createTable() {
        table = LakeTable.open(TestTables.options(dir).build());
        schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
    }

    private BatchCommit batch(String pipeline, int partition, long from, long to, BatchCommit.OffsetCheck check,
                              Map<String, String> parameters) {
        long batchId = nextBatchId(pipeline);
        DataFileWriter writer = table.newDataFileWriter();
        TestTables.events(schema, from + partition * 1_000_000L, to + partition * 1_000_000L).forEach(writer::write);
        return new BatchCommit(pipeline, "a", batchId, writer.finish(), List.of(new OffsetRange("orders", partition,
                from, to)), parameters, check);
    }

    private void healthyHistory() {
        for (int b = 0; b < 5; b++) {
            assertThat(table.commit(batch("orders", 0, b * 10L, b * 10L + 10, BatchCommit.OffsetCheck.CONTIGUOUS,
                    Map.of())).committed()).isTrue();
            assertThat(table.commit(batch("orders", 1, b * 7L, b * 7L + 7,
                    BatchCommit.OffsetCheck.CONTIGUOUS, Map.of())).committed()).isTrue();
        }
    }

    @Test
    void aHealthyHistoryCoversEveryOffsetOnce() {
        healthyHistory();
        OffsetAudit.Report report = OffsetAudit.audit(table, 0);
        assertThat(report.ok()).as("%s", report.problems()).isTrue();
        assertThat(report.partitions()).hasSize(2);
        OffsetAudit.PartitionReport zero = report.partitions().get(0);
        assertThat(zero.firstOffset()).isZero();
        assertThat(zero.nextOffset()).isEqualTo(50);
        assertThat(zero.tableNextOffset()).isEqualTo(50);
        assertThat(zero.commits()).isEqualTo(5);
        assertThat(report.partitions().get(1).nextOffset()).isEqualTo(35);
        assertThat(report.toJson()).contains("\"ok\" : true").contains("\"nextOffset\" : 50");
    }

    @Test
    void aPartitionTakenTwiceAndMissingOffsetsAreNamed() {
        healthyHistory();
        // A pipeline renamed and started over: the table takes partition 0's first offsets a second time.
        assertThat(table.commit(batch("orders_v2", 0, 0, 20, BatchCommit.OffsetCheck.CONTIGUOUS, Map.of()))
                .committed()).isTrue();
        // A writer that jumped ahead: partition 1's offsets 35 to 39 were never ingested.
        assertThat(table.commit(batch("orders", 1, 40, 45, BatchCommit.OffsetCheck.FORWARD_ONLY, Map.of()))
                .committed()).isTrue();

        OffsetAudit.Report report = OffsetAudit.audit(table, 0);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).anySatisfy(p -> assertThat(p).startsWith("orders-0: offsets 0 to 19 were "
                        + "taken twice").contains("(pipeline orders_v2, after orders)"))
                .anySatisfy(p -> assertThat(p).startsWith("orders-1: offsets 35 to 39 are missing"));
    }

    @Test
    void retentionSkipsAndStartOversAreExplainedNotFlagged() {
        healthyHistory();
        // Kafka retention deleted 50..79 before ingestion, and on-offset-gap: skip recorded it.
        assertThat(table.commit(new BatchCommit("orders", "a", nextBatchId("orders"), List.of(), List.of(new OffsetRange("orders", 0, 50,
                80)), Map.of("skippedOffsets", "orders-0 offsets 50 to 79", "skipReason", "retention")))
                .committed()).isTrue();
        assertThat(table.commit(batch("orders", 0, 80, 90, BatchCommit.OffsetCheck.CONTIGUOUS, Map.of()))
                .committed()).isTrue();
        // The topic was deleted and created again: partition 1 starts over at 0.
        assertThat(table.commit(BatchCommit.reset("orders", "a", nextBatchId("orders"), List.of(new OffsetRange("orders", 1, 0, 0)),
                Map.of("orders/orders/1", 35L), Map.of("resetReason", "the topic was deleted and created again")))
                .committed()).isTrue();
        assertThat(table.commit(batch("orders", 1, 0, 12, BatchCommit.OffsetCheck.CONTIGUOUS, Map.of()))
                .committed()).isTrue();

        OffsetAudit.Report report = OffsetAudit.audit(table, 0);
        assertThat(report.ok()).as("%s", report.problems()).isTrue();
        assertThat(report.partitions().get(0).skippedOffsets()).isEqualTo(30);
        assertThat(report.partitions().get(0).nextOffset()).isEqualTo(90);
        assertThat(report.partitions().get(1).startOvers()).isEqualTo(1);
        assertThat(report.partitions().get(1).nextOffset()).isEqualTo(12);
    }
}
