package dev.lakehouse.compaction;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.TableSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a compaction from a snapshot: per partition, the files below the small-file threshold are bin-packed
 * (first fit, largest first) into groups of at most the target size; partitions with fewer candidates than the
 * minimum, and groups that would merge fewer files than it, are left alone. With sort columns, a partition's small
 * files form one group, sorted as a whole and written out in files of the target size. Pure: no I/O.
 */
public final class CompactionPlanner {

    private CompactionPlanner() {
    }

    public static CompactionPlan plan(String tableLocation, TableSnapshot snapshot, CompactionSettings settings) {
        Map<Map<String, String>, List<DataFile>> byPartition = new LinkedHashMap<>();
        int candidates = 0;
        for (DataFile file : snapshot.files()) {
            if (file.sizeBytes() < settings.smallFileBytes()) {
                byPartition.computeIfAbsent(file.partitionValues(), k -> new ArrayList<>()).add(file);
                candidates++;
            }
        }
        List<CompactionPlan.FileGroup> groups = new ArrayList<>();
        int skipped = 0;
        for (Map.Entry<Map<String, String>, List<DataFile>> partition : byPartition.entrySet()) {
            List<DataFile> files = partition.getValue();
            if (files.size() < settings.minInputFiles()) {
                skipped++;
                continue;
            }
            if (!settings.sortBy().isEmpty()) {
                // One sort over the partition's small files: each output file then holds a narrow range of the
                // sort columns. Sorting bins separately would give every output file nearly the whole range.
                groups.add(new CompactionPlan.FileGroup(partition.getKey(), files));
                continue;
            }
            for (List<DataFile> bin : binPack(files, settings.targetFileBytes())) {
                if (bin.size() >= settings.minInputFiles()) {
                    groups.add(new CompactionPlan.FileGroup(partition.getKey(), bin));
                }
            }
        }
        return new CompactionPlan(tableLocation, snapshot.version(), groups, candidates, skipped);
    }

    /** First-fit decreasing: few bins, each close to the capacity. */
    static List<List<DataFile>> binPack(List<DataFile> files, long capacity) {
        List<DataFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparingLong(DataFile::sizeBytes).reversed().thenComparing(DataFile::path));
        List<List<DataFile>> bins = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (DataFile file : sorted) {
            int target = -1;
            for (int i = 0; i < bins.size(); i++) {
                if (sizes.get(i) + file.sizeBytes() <= capacity) {
                    target = i;
                    break;
                }
            }
            if (target < 0) {
                bins.add(new ArrayList<>());
                sizes.add(0L);
                target = bins.size() - 1;
            }
            bins.get(target).add(file);
            sizes.set(target, sizes.get(target) + file.sizeBytes());
        }
        return bins;
    }
}
