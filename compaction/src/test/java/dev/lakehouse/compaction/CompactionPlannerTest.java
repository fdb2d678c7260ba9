package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.TableSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class CompactionPlannerTest {

    private static DataFile file(String name, String day, long size) {
        return new DataFile(name, Map.of("day", day), size, 10, null, 0);
    }

    private static TableSnapshot snapshot(List<DataFile> files) {
        return new TableSnapshot(7, SchemaBuilder.record("R").fields().optionalLong("id").endRecord(), "{}",
                PartitionSpec.of(), Map.of(), files);
    }

    @Test
    void packsSmallFilesPerPartitionIntoGroupsOfAtMostTheTarget() {
        List<DataFile> files = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            files.add(file("a" + i, "2026-01-01", 10));   // 250 bytes: 3 groups of <= 100
        }
        files.add(file("big", "2026-01-01", 95));         // above the small threshold: untouched
        for (int i = 0; i < 3; i++) {
            files.add(file("b" + i, "2026-01-02", 10));    // too few candidates
        }
        CompactionPlan plan = CompactionPlanner.plan("t", snapshot(files), new CompactionSettings(100, 75, 5));
        assertThat(plan.snapshotVersion()).isEqualTo(7);
        assertThat(plan.candidateFiles()).isEqualTo(28);
        assertThat(plan.skippedPartitions()).isEqualTo(1);
        assertThat(plan.groups()).hasSize(3).allSatisfy(g -> {
            assertThat(g.bytes()).isLessThanOrEqualTo(100);
            assertThat(g.partitionValues()).containsEntry("day", "2026-01-01");
        });
        assertThat(plan.inputFiles()).isEqualTo(25);
        assertThat(plan.groups()).flatExtracting(CompactionPlan.FileGroup::files).extracting(DataFile::path)
                .doesNotContain("big").doesNotHaveDuplicates();
    }

    @Test
    void firstFitDecreasingFillsBinsBeforeOpeningNewOnes() {
        List<DataFile> files = List.of(file("a", "d", 60), file("b", "d", 50), file("c", "d", 40), file("e", "d", 30),
                file("f", "d", 20));
        List<List<DataFile>> bins = CompactionPlanner.binPack(files, 100);
        assertThat(bins).hasSize(2);
        assertThat(bins.get(0)).extracting(DataFile::path).containsExactly("a", "c");
        assertThat(bins.get(1)).extracting(DataFile::path).containsExactly("b", "e", "f");
    }

    @Test
    void aGroupSmallerThanTheMinimumIsNotRewritten() {
        List<DataFile> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(file("a" + i, "d", 45)); // bins of two: each below the minimum of 5 files
        }
        assertThat(CompactionPlanner.plan("t", snapshot(files), new CompactionSettings(100, 75, 5)).isEmpty()).isTrue();
    }
}
