package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.TableSnapshot;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionSettingsTest {

    private static final Schema LINE = SchemaBuilder.record("Line").fields().requiredLong("order_id")
            .requiredInt("line").optionalString("sku").endRecord();

    @TempDir
    Path dir;

    @Test
    void aTableKeyedByItsKafkaKeyIsSortedByTheKeyItRecordedUnlessSortColumnsAreGiven() {
        TableSnapshot keyed = LakeTable.open(TableOptions.builder(dir.resolve("keyed").toUri().toString()).build())
                .createIfAbsent(LINE, "", List.of("order_id", "line"));
        TableSnapshot appended = LakeTable.open(TableOptions.builder(dir.resolve("plain").toUri().toString())
                .build()).createIfAbsent(LINE);
        CompactionSettings byTableKey = CompactionSettings.forTarget(1 << 20).sortedByTableKey();

        assertThat(keyed.keyColumns()).containsExactly("order_id", "line");
        assertThat(byTableKey.forTable(keyed).sortBy()).containsExactly("order_id", "line");
        assertThat(byTableKey.forTable(appended).sortBy()).as("a table that recorded no key").isEmpty();
        assertThat(byTableKey.sortedBy(List.of("sku")).forTable(keyed).sortBy()).as("given columns win")
                .containsExactly("sku");
        assertThat(CompactionSettings.forTarget(1 << 20).forTable(keyed).sortBy()).as("not asked to").isEmpty();
    }
}
