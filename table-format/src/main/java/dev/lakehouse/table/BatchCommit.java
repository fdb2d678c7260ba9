package dev.lakehouse.table;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One micro-batch to commit atomically: its data files and the Kafka offsets they came from.
 *
 * <p>Two kinds of transaction ids go into the commit: {@code <pipeline>@<instanceId>} with version
 * {@code batchId} (batch ids are per instance, so two instances' batch 5 never collide) and, per partition,
 * {@code <pipeline>/<topic>/<partition>} with the next offset.
 *
 * @param pipeline the pipeline name
 * @param instanceId a stable id of the writing instance
 * @param batchId increasing per (pipeline, instance), from 0
 * @param files data files, already complete on storage
 * @param offsets one range per partition consumed; may be empty (e.g. a batch of only dead letters elsewhere)
 * @param parameters extra operation parameters shown in the table history (values are plain strings)
 */
public record BatchCommit(String pipeline, String instanceId, long batchId, List<DataFile> files,
                          List<OffsetRange> offsets, Map<String, String> parameters) {
    public BatchCommit {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(instanceId, "instanceId");
        if (batchId < 0) {
            throw new IllegalArgumentException("batch id must be >= 0, got " + batchId);
        }
        files = List.copyOf(files);
        offsets = List.copyOf(offsets);
        parameters = Map.copyOf(parameters);
    }

    /** {@code <pipeline>@<instanceId>}: the transaction id whose version is the batch id. */
    public String batchAppId() {
        return pipeline + "@" + instanceId;
    }

    public long numRecords() {
        return files.stream().mapToLong(DataFile::numRecords).sum();
    }

    public long sizeBytes() {
        return files.stream().mapToLong(DataFile::sizeBytes).sum();
    }
}
