package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.ForwardingLakeTable;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class ConsoleDataTest {

    @Test
    void previewsShowTextAsTextAndBinaryAsHexCutToLength() {
        assertThat(ConsoleViews.preview(null)).isNull();
        assertThat(ConsoleViews.preview("<b>hi</b>".getBytes(StandardCharsets.UTF_8))).isEqualTo("<b>hi</b>");
        assertThat(ConsoleViews.preview(new byte[] {0, 0, 0, 0, 7, 2})).isEqualTo("0x000000000702");
        assertThat(ConsoleViews.preview(new byte[] {(byte) 0xff, (byte) 0xfe})).isEqualTo("0xfffe");
        assertThat(ConsoleViews.preview("x".repeat(500).getBytes(StandardCharsets.UTF_8))).hasSize(201).endsWith("…");
    }

    @Test
    void theHistogramCountsEveryFileOnce() {
        long mb = 1024 * 1024;
        List<DataFile> files = List.of(file(10), file(mb - 1), file(mb), file(200 * mb), file(600 * mb));
        List<Views.BucketView> buckets = ConsoleViews.histogram(files);
        assertThat(buckets).extracting(Views.BucketView::files).containsExactly(2, 1, 0, 0, 1, 1);
        assertThat(buckets.get(0).label()).isEqualTo("0–1 MB");
        assertThat(buckets.get(5).toBytes()).isEqualTo(-1);
    }

    @Test
    void columnsShowTheTablesDeltaTypesAsSparkNamesThem() {
        List<Views.FieldView> fields = DeltaSchemaFields.of("""
                {"type":"struct","fields":[
                  {"name":"a","type":"long","nullable":true,"metadata":{}},
                  {"name":"b","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,
                   "metadata":{}},
                  {"name":"c","type":"timestamp","nullable":false,"metadata":{}},
                  {"name":"d","type":{"type":"struct","fields":[{"name":"x","type":"integer","nullable":true,
                   "metadata":{}}]},"nullable":true,"metadata":{}},
                  {"name":"e","type":{"type":"map","keyType":"string","valueType":"decimal(10,2)",
                   "valueContainsNull":true},"nullable":true,"metadata":{}},
                  {"name":"status","type":"string","nullable":true,"metadata":{}}]}""");
        assertThat(fields).extracting(Views.FieldView::type).containsExactly("long", "array<string>", "timestamp",
                "struct<x: integer>", "map<string, decimal(10,2)>", "string");
        assertThat(fields).extracting(Views.FieldView::nullable).containsExactly(true, true, false, true, true, true);
    }

    @Test
    void aSchemaThatIsNotADeltaStructIsRefusedByName() {
        assertThatThrownBy(() -> DeltaSchemaFields.of("{\"type\":\"record\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Delta struct");
    }

    @Test
    void theBackgroundReadsATableAgainAfterItsOwnCommitOrAfterHalfAMinuteAndAPageAfterTwoSeconds() {
        MovableClock clock = new MovableClock();
        CountingTable table = new CountingTable(new InMemoryLakeTable("orders"));
        table.createIfAbsent(SchemaBuilder.record("Order").fields().requiredLong("id").endRecord());
        ListenedPipeline pipeline = new ListenedPipeline(table);
        ConsoleData data = new ConsoleData(List.of(new MonitoredTable(pipeline, List.of("orders"), null, 1)), null,
                Map.of("orders", new LagHistory(10, Duration.ofSeconds(30))), clock);

        data.refreshStale();
        assertThat(table.snapshotReads.get()).as("first reading").isEqualTo(1);
        for (int i = 0; i < 10; i++) { // the sampler's rounds, every two seconds, while the table does not change
            clock.advance(Duration.ofSeconds(2));
            data.refreshStale();
        }
        assertThat(table.snapshotReads.get()).as("an idle table is not read every round").isEqualTo(1);

        pipeline.committed(); // the pipeline reports a commit: its figures are stale from now on
        data.refreshStale();
        assertThat(table.snapshotReads.get()).as("read again after its own commit").isEqualTo(2);

        clock.advance(ConsoleData.RENEW_UNCHANGED_AFTER.minusSeconds(1));
        data.refreshStale();
        assertThat(table.snapshotReads.get()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        data.refreshStale();
        assertThat(table.snapshotReads.get()).as("another writer's change is shown within half a minute")
                .isEqualTo(3);

        clock.advance(ConsoleData.CACHE_FOR.plusSeconds(1));
        assertThat(data.overview()).hasSize(1);
        assertThat(table.snapshotReads.get()).as("a page reads what is older than two seconds").isEqualTo(4);
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Counts the reads of the table's log. */
    private static final class CountingTable extends ForwardingLakeTable {
        final AtomicInteger snapshotReads = new AtomicInteger();

        CountingTable(LakeTable table) {
            super(table);
        }

        @Override
        public TableSnapshot snapshot() {
            snapshotReads.incrementAndGet();
            return super.snapshot();
        }
    }

    private static DataFile file(long size) {
        return new DataFile("part-" + size + ".parquet", Map.of(), size, 1, null, 0);
    }
}
