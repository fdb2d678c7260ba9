package dev.lakehouse.table;

import dev.lakehouse.table.delta.SourceFactsFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source facts with several writers: two appliances assigned at the same moment record their partitions' facts
 * side by side, and neither loses the other's (each had read, merged and written back one shared file).
 */
class SourceFactsIT {

    @Test
    void twoProcessesRecordingAtOnceKeepEveryFactAndALaterValueWins(@TempDir Path dir) throws Exception {
        // Two tables objects on one location: what two appliances see.
        LakeTable first = LakeTable.open(TestTables.options(dir).build());
        LakeTable second = LakeTable.open(TestTables.options(dir).build());
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (LakeTable table : List.of(first, second)) {
            String who = table == first ? "a" : "b";
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 100; i++) {
                    try {
                        together.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    table.recordSourceFacts(Map.of(start(who, i), Long.toString(i)));
                }
            }));
        }
        CompletableFuture.allOf(writers.toArray(new CompletableFuture[0])).join();

        List<SourceFact> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add(start("a", i));
            keys.add(start("b", i));
        }
        assertThat(first.sourceFacts(keys)).hasSize(200);
        assertThat(second.sourceFacts(keys)).hasSize(200);

        SourceFact topicId = SourceFact.topicId(new SourcePartition("p", "t", 0));
        first.recordSourceFacts(Map.of(topicId, "old"));
        second.recordSourceFacts(Map.of(topicId, "new"));
        assertThat(first.sourceFacts(List.of(topicId))).containsEntry(topicId, "new");
    }

    @Test
    void factsOfTheEarlierSingleFileAreStillRead(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("_lakehouse"));
        // The stored form of a fact is part of every table written: start-offset/<pipeline>/<topic>/<partition>.
        Files.writeString(dir.resolve(SourceFactsFile.FILE), "{\"start-offset/orders/old/0\": \"42\"}");
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        SourceFact old = SourceFact.startOffset(new SourcePartition("orders", "old", 0));
        SourceFact fresh = SourceFact.startOffset(new SourcePartition("orders", "new", 0));
        table.recordSourceFacts(Map.of(fresh, "7"));
        assertThat(table.sourceFacts(List.of(old, fresh))).containsEntry(old, "42").containsEntry(fresh, "7");
        try (var files = Files.list(dir.resolve(SourceFactsFile.DIRECTORY))) {
            assertThat(Files.readString(files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow()))
                    .contains("\"start-offset/orders/new/0\"");
        }
    }

    private static SourceFact start(String pipeline, int partition) {
        return SourceFact.startOffset(new SourcePartition(pipeline, "t", partition));
    }
}
