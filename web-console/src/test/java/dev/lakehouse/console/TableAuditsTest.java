package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TestTables;
import dev.lakehouse.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableAuditsTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));

    @Test
    void theFirstRequestStartsAnAuditAndALaterOneRenewsItOnlyWhenStaleAndTheTableMovedOn(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(SchemaBuilder.record("R").fields().requiredLong("id").endRecord())
                .avroSchema();
        commit(table, schema, 1, 0, 10);
        try (TableAudits audits = new TableAudits(clock)) {
            TableAudits.Audit first = audits.latest("orders", table);
            assertThat(first.running()).isTrue();
            assertThat(first.report()).as("nothing audited yet").isNull();
            TableAudits.Audit done = awaitDone(audits, table);
            assertThat(done.report().ok()).isTrue();
            assertThat(done.report().toVersion()).isEqualTo(1);

            commit(table, schema, 2, 10, 20);
            assertThat(audits.latest("orders", table)).as("fresh for a minute").isEqualTo(done);
            clock.advance(TableAudits.RENEW_AFTER.plusSeconds(1));
            TableAudits.Audit renewing = audits.latest("orders", table);
            assertThat(renewing.running()).as("stale and the table moved on").isTrue();
            assertThat(renewing.report()).as("the previous result is shown meanwhile").isEqualTo(done.report());
            TableAudits.Audit renewed = awaitDone(audits, table);
            assertThat(renewed.report().toVersion()).isEqualTo(2);
            assertThat(renewed.report().partitions().get(0).nextOffset()).isEqualTo(20);

            clock.advance(TableAudits.RENEW_AFTER.plusSeconds(1));
            assertThat(audits.latest("orders", table)).as("stale but the table did not move").isEqualTo(renewed);
        }
    }

    private TableAudits.Audit awaitDone(TableAudits audits, LakeTable table) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !audits.latest("orders", table).running());
        return audits.latest("orders", table);
    }

    private static void commit(LakeTable table, Schema schema, long batchId, long from, long to) {
        DataFileWriter writer = table.newDataFileWriter();
        for (long id = from; id < to; id++) {
            GenericRecord row = new GenericData.Record(schema);
            row.put("id", id);
            writer.write(row);
        }
        assertThat(table.commit(new BatchCommit("orders", "a", batchId, writer.finish(),
                List.of(new OffsetRange("orders", 0, from, to)), Map.of())).committed()).isTrue();
    }
}
