package dev.lakehouse.compaction;

import dev.lakehouse.table.DataFile;
import java.util.List;
import java.util.Map;

/**
 * What one compaction will rewrite, computed from one snapshot. Immutable; each group becomes one commit.
 *
 * @param tableLocation the table
 * @param snapshotVersion the version the plan was made from
 * @param groups files to merge, each into files of about the target size
 * @param candidateFiles small files seen
 * @param skippedPartitions partitions with too few small files
 */
public record CompactionPlan(String tableLocation, long snapshotVersion, List<FileGroup> groups, int candidateFiles,
                             int skippedPartitions) {

    public CompactionPlan {
        groups = List.copyOf(groups);
    }

    /** Files of one partition to rewrite together. */
    public record FileGroup(Map<String, String> partitionValues, List<DataFile> files) {
        public FileGroup {
            partitionValues = Map.copyOf(partitionValues.entrySet().stream()
                    .filter(e -> e.getValue() != null).collect(java.util.stream.Collectors.toMap(
                            Map.Entry::getKey, Map.Entry::getValue)));
            files = List.copyOf(files);
        }

        public long bytes() {
            return files.stream().mapToLong(DataFile::sizeBytes).sum();
        }
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    public int inputFiles() {
        return groups.stream().mapToInt(g -> g.files().size()).sum();
    }

    public long inputBytes() {
        return groups.stream().mapToLong(FileGroup::bytes).sum();
    }
}
