package dev.lakehouse.table;

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
                    table.recordSourceFacts(Map.of("start-offset/" + who + "/" + i, Long.toString(i)));
                }
            }));
        }
        CompletableFuture.allOf(writers.toArray(new CompletableFuture[0])).join();

        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add("start-offset/a/" + i);
            keys.add("start-offset/b/" + i);
        }
        assertThat(first.sourceFacts(keys)).hasSize(200);
        assertThat(second.sourceFacts(keys)).hasSize(200);

        first.recordSourceFacts(Map.of("topic-id/t/0", "old"));
        second.recordSourceFacts(Map.of("topic-id/t/0", "new"));
        assertThat(first.sourceFacts(List.of("topic-id/t/0"))).containsEntry("topic-id/t/0", "new");
    }

    @Test
    void factsOfTheEarlierSingleFileAreStillRead(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("_lakehouse"));
        Files.writeString(dir.resolve(SourceFactsFile.FILE), "{\"start-offset/old/0\": \"42\"}");
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        table.recordSourceFacts(Map.of("start-offset/new/0", "7"));
        assertThat(table.sourceFacts(List.of("start-offset/old/0", "start-offset/new/0")))
                .containsEntry("start-offset/old/0", "42").containsEntry("start-offset/new/0", "7");
    }
}
