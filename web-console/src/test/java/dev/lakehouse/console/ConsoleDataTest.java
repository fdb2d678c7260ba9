package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.DataFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleDataTest {

    @Test
    void previewsShowTextAsTextAndBinaryAsHexCutToLength() {
        assertThat(ConsoleData.preview(null)).isNull();
        assertThat(ConsoleData.preview("<b>hi</b>".getBytes(StandardCharsets.UTF_8))).isEqualTo("<b>hi</b>");
        assertThat(ConsoleData.preview(new byte[] {0, 0, 0, 0, 7, 2})).isEqualTo("0x000000000702");
        assertThat(ConsoleData.preview(new byte[] {(byte) 0xff, (byte) 0xfe})).isEqualTo("0xfffe");
        assertThat(ConsoleData.preview("x".repeat(500).getBytes(StandardCharsets.UTF_8))).hasSize(201).endsWith("…");
    }

    @Test
    void theHistogramCountsEveryFileOnce() {
        long mb = 1024 * 1024;
        List<DataFile> files = List.of(file(10), file(mb - 1), file(mb), file(200 * mb), file(600 * mb));
        List<Views.BucketView> buckets = ConsoleData.histogram(files);
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

    private static DataFile file(long size) {
        return new DataFile("part-" + size + ".parquet", Map.of(), size, 1, null, 0);
    }
}
