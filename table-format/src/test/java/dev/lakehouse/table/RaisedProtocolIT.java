package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table whose protocol another writer raised (Spark enabling deletion vectors) is refused with a message that
 * names the protocol and its features and says what to do, never delta-standalone's "upgrade to a newer release"
 * (there is none).
 */
class RaisedProtocolIT {

    @Test
    void aTableWithDeletionVectorsIsRefusedNamingTheFeatureAndWhatToDo(@TempDir Path dir) throws Exception {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, TestTables.events(schema, 0, 10)),
                List.of(), Map.of()));
        long next = table.snapshot().version() + 1;
        // What Spark's ALTER TABLE ... SET TBLPROPERTIES ('delta.enableDeletionVectors' = true) commits.
        Files.writeString(dir.resolve("_delta_log").resolve(String.format("%020d.json", next)), """
                {"commitInfo":{"timestamp":1,"operation":"SET TBLPROPERTIES","operationParameters":{}}}
                {"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],\
                "writerFeatures":["deletionVectors","invariants","appendOnly"]}}
                """);

        assertThatThrownBy(() -> LakeTable.open(TestTables.options(dir).build()))
                .isInstanceOf(UnsupportedTableProtocolException.class)
                .hasMessageContaining("(3,7) with reader features [\"deletionVectors\"]")
                .hasMessageContaining("DROP FEATURE")
                .hasMessageNotContaining("newer release");
        assertThatThrownBy(() -> table.commit(new BatchCommit("p", "i", 1, List.of(), List.of(), Map.of())))
                .isInstanceOf(UnsupportedTableProtocolException.class);
        assertThat(dir.resolve("_delta_log").resolve(String.format("%020d.json", next + 1))).as("nothing committed")
                .doesNotExist();
    }
}
