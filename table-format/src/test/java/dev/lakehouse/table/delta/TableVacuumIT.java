package dev.lakehouse.table.delta;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TestTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vacuum deletes only what is its own table's. */
class TableVacuumIT {

    @Test
    void aTableInsideAnotherTablesDirectoryIsNeverVacuumedAwayTheVacuumIsRefusedNamingIt(@TempDir Path dir)
            throws IOException {
        LakeTable outer = LakeTable.open(TestTables.options(dir).build());
        Schema schema = outer.createIfAbsent(TestTables.eventSchema()).avroSchema();
        outer.commit(new BatchCommit("p", "i", 0, TestTables.write(outer, TestTables.events(schema, 0, 10)),
                List.of(), Map.of()));
        LakeTable inner = LakeTable.open(TestTables.options(dir.resolve("inner")).build());
        Schema innerSchema = inner.createIfAbsent(TestTables.eventSchema()).avroSchema();
        inner.commit(new BatchCommit("p", "i", 0, TestTables.write(inner, TestTables.events(innerSchema, 0, 10)),
                List.of(), Map.of()));
        List<Path> innerFiles = dataFiles(dir.resolve("inner"));
        assertThat(innerFiles).isNotEmpty();

        // Before, a vacuum with no retention deleted the inner table's data files as orphans of the outer one.
        assertThatThrownBy(() -> outer.vacuum(Duration.ZERO, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another table lies inside its directory (inner)");
        assertThat(dataFiles(dir.resolve("inner"))).containsExactlyInAnyOrderElementsOf(innerFiles);
        assertThat(KernelReader.read(dir.resolve("inner").toString()).rows()).hasSize(10);
        assertThat(inner.vacuum(Duration.ZERO, false).deletedPaths()).isEmpty();
    }

    private static List<Path> dataFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
                    .toList();
        }
    }
}
