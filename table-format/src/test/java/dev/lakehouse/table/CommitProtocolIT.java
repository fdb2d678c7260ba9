package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch commit protocol: atomic data + offsets, replays skipped, stale batches and gaps refused. */
class CommitProtocolIT {

    @TempDir
    Path dir;
    private LakeTable table;
    private Schema schema;

    @BeforeEach
    void create() {
        table = LakeTable.open(TestTables.options(dir).build());
        schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
    }

    private BatchCommit batch(long batchId, long from, long to) {
        return new BatchCommit("orders", "host-a", batchId, TestTables.write(table, TestTables.events(schema, from, to)),
                List.of(new OffsetRange("events", 0, from, to)), Map.of("source", "test"));
    }

    @Test
    void dataAndOffsetsLandInOneVersionWithHistory() {
        CommitOutcome first = table.commit(batch(0, 0, 100));
        CommitOutcome second = table.commit(batch(1, 100, 250));
        assertThat(second.version()).isEqualTo(first.version() + 1);
        assertThat(table.txnVersion("orders@host-a")).isEqualTo(1);
        assertThat(table.txnVersion("orders/events/0")).isEqualTo(250);
        assertThat(table.txnVersion("orders/events/1")).isEqualTo(-1);
        assertThat(table.snapshot().totalRecords()).isEqualTo(250);

        TableCommit latest = table.history(10).get(0);
        assertThat(latest.version()).isEqualTo(second.version());
        assertThat(latest.operation()).isEqualTo("STREAMING UPDATE");
        assertThat(latest.parameters()).containsEntry("epochId", "1").containsEntry("queryId", "orders@host-a")
                .containsEntry("source", "test");
        assertThat(latest.parameters().get("offsets")).contains("\"startOffset\":100", "\"nextOffset\":250");
        assertThat(latest.metrics()).containsEntry("numOutputRows", "150");
        assertThat(table.history(10)).extracting(TableCommit::operation).endsWith("CREATE TABLE");
    }

    @Test
    void aReplayedBatchIdChangesNothing() {
        BatchCommit batch = batch(0, 0, 100);
        table.commit(batch);
        long version = table.snapshot().version();
        CommitOutcome replay = table.commit(batch);
        assertThat(replay.status()).isEqualTo(CommitOutcome.Status.DUPLICATE_BATCH);
        assertThat(replay.committed()).isFalse();
        assertThat(table.snapshot().version()).isEqualTo(version);
        assertThat(KernelReader.read(dir.toString()).rows()).hasSize(100);
    }

    @Test
    void aLowerBatchIdIsRefused() {
        table.commit(batch(0, 0, 10));
        table.commit(batch(1, 10, 20));
        assertThatThrownBy(() -> table.commit(batch(0, 20, 30)))
                .isInstanceOf(StaleBatchException.class)
                .hasMessageContaining("older than the committed batch 1");
    }

    @Test
    void anotherInstancesReplayOfCommittedOffsetsIsSkipped() {
        table.commit(batch(0, 0, 100));
        // A second instance re-reads offsets 50..150 of the partition after a rebalance.
        BatchCommit overlap = new BatchCommit("orders", "host-b", 0, TestTables.write(table, TestTables.events(schema, 50, 150)),
                List.of(new OffsetRange("events", 0, 50, 150)), Map.of());
        CommitOutcome outcome = table.commit(overlap);
        assertThat(outcome.status()).isEqualTo(CommitOutcome.Status.REPLAYED_OFFSETS);
        assertThat(outcome.detail()).contains("events-0", "100");
        assertThat(table.snapshot().totalRecords()).isEqualTo(100);
    }

    @Test
    void aGapIsNeverCommitted() {
        table.commit(batch(0, 0, 100));
        BatchCommit gap = new BatchCommit("orders", "host-a", 1, TestTables.write(table, TestTables.events(schema, 120, 130)),
                List.of(new OffsetRange("events", 0, 120, 130)), Map.of());
        assertThatThrownBy(() -> table.commit(gap))
                .isInstanceOf(OffsetGapException.class)
                .hasMessageContaining("offsets 100 to 119 would be lost");
        assertThat(table.txnVersion("orders/events/0")).isEqualTo(100);
    }

    @Test
    void aPartitionResetIsRefusedWhenAnotherInstanceCommittedThePartitionAfterItWasDecided() {
        table.commit(batch(0, 0, 100));
        // host-a decides to start the partition over (its topic was recreated) from what the table holds now ...
        Map<String, Long> replaced = table.txnVersions(List.of("orders/events/0"));
        // ... while host-b, which took the partition over, commits more of it.
        table.commit(new BatchCommit("orders", "host-b", 0, TestTables.write(table, TestTables.events(schema, 100, 150)),
                List.of(new OffsetRange("events", 0, 100, 150)), Map.of()));
        long version = table.snapshot().version();

        assertThatThrownBy(() -> table.commit(BatchCommit.reset("orders", "host-a", 1,
                List.of(new OffsetRange("events", 0, 0, 0)), replaced, Map.of())))
                .isInstanceOf(OffsetsMovedException.class)
                .hasMessageContaining("replaces next offset 100 but the table's is now 150");
        assertThat(table.snapshot().version()).isEqualTo(version);
        assertThat(table.txnVersion("orders/events/0")).isEqualTo(150);

        // Decided again on what the table holds, the reset lands.
        CommitOutcome reset = table.commit(BatchCommit.reset("orders", "host-a", 1,
                List.of(new OffsetRange("events", 0, 0, 0)), table.txnVersions(List.of("orders/events/0")), Map.of()));
        assertThat(reset.committed()).isTrue();
        assertThat(table.txnVersion("orders/events/0")).isZero();
        assertThat(table.snapshot().totalRecords()).isEqualTo(150);
    }

    @Test
    void aCrashBetweenFileWriteAndCommitLeavesOnlyOrphanFiles() throws Exception {
        table.commit(batch(0, 0, 100));
        long version = table.snapshot().version();
        // The process "dies" here: files written, commit never called.
        List<DataFile> orphans = TestTables.write(table, TestTables.events(schema, 100, 200));
        assertThat(orphans).allSatisfy(f -> assertThat(dir.resolve(f.path())).exists());

        LakeTable reopened = LakeTable.open(TestTables.options(dir).build());
        assertThat(reopened.snapshot().version()).isEqualTo(version);
        assertThat(reopened.snapshot().files()).extracting(DataFile::path).doesNotContainAnyElementsOf(
                orphans.stream().map(DataFile::path).toList());
        assertThat(reopened.txnVersion("orders/events/0")).isEqualTo(100);
        try (Stream<Path> log = Files.list(dir.resolve("_delta_log"))) {
            assertThat(log.filter(p -> p.toString().endsWith(".json"))).hasSize((int) version + 1);
        }
        // The restarted instance re-reads from offset 100 and commits the data once.
        assertThat(reopened.commit(new BatchCommit("orders", "host-a", 1,
                TestTables.write(reopened, TestTables.events(schema, 100, 200)),
                List.of(new OffsetRange("events", 0, 100, 200)), Map.of())).committed()).isTrue();
        assertThat(KernelReader.read(dir.toString()).rows()).hasSize(200);
    }

    @Test
    void aCommitThatThrowsAfterLandingIsRecognizedNotRepeated() throws Exception {
        for (int b = 0; b < 9; b++) {
            table.commit(batch(b, b * 10L, b * 10L + 10));
        }
        assertThat(table.snapshot().version()).isEqualTo(9);
        // Version 10 triggers delta-standalone's post-commit checkpoint; make its last step fail.
        Path lastCheckpoint = dir.resolve("_delta_log/_last_checkpoint");
        Files.createDirectories(lastCheckpoint.resolve("blocker"));

        CommitOutcome outcome = table.commit(batch(9, 90, 100));

        assertThat(outcome.committed()).isTrue();
        assertThat(outcome.detail()).contains("threw afterwards");
        assertThat(table.snapshot().version()).isEqualTo(10);
        assertThat(table.txnVersion("orders@host-a")).isEqualTo(9);
        assertThat(KernelReader.read(dir.toString()).rows()).hasSize(100);
    }

    @Test
    void abortDeletesTheBatchFiles() throws Exception {
        DataFileWriter writer = table.newDataFileWriter();
        TestTables.events(schema, 0, 50).forEach(writer::write);
        writer.abort();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet"))).isEmpty();
        }
    }

    @Test
    void existingPartitioningCannotChangeThroughConfiguration() {
        LakeTable repartitioned = LakeTable.open(TestTables.options(dir)
                .partitionSpec(PartitionSpec.of(PartitionField.identity("status"))).build());
        assertThatThrownBy(() -> repartitioned.createIfAbsent(TestTables.eventSchema()))
                .isInstanceOf(PartitioningMismatchException.class)
                .hasMessageContaining("cannot change");
    }
}
