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
 * @param offsetCheck how the ranges must continue the table's offsets
 */
public record BatchCommit(String pipeline, String instanceId, long batchId, List<DataFile> files,
                          List<OffsetRange> offsets, Map<String, String> parameters, OffsetCheck offsetCheck) {

    /** How a batch's offset ranges must relate to the table's next offsets. */
    public enum OffsetCheck {
        /**
         * Each range starts exactly at the table's next offset: below is a replay (skipped), above is a gap
         * (refused). The rule for a table that holds every record of its partitions.
         */
        CONTIGUOUS,
        /**
         * Each range starts at or above the table's next offset; below is a replay (skipped). For a table that
         * holds only some records of its partitions (dead letters), whose offsets advance only when it has any.
         */
        FORWARD_ONLY,
        /**
         * Each range replaces the table's next offset of its partition, whatever it was: for a topic deleted and
         * created again under its name, whose offsets start over.
         */
        RESET
    }

    /** A batch whose ranges must be {@link OffsetCheck#CONTIGUOUS}. */
    public BatchCommit(String pipeline, String instanceId, long batchId, List<DataFile> files,
                       List<OffsetRange> offsets, Map<String, String> parameters) {
        this(pipeline, instanceId, batchId, files, offsets, parameters, OffsetCheck.CONTIGUOUS);
    }

    public BatchCommit {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(offsetCheck, "offsetCheck");
        if (batchId < 0) {
            throw new IllegalArgumentException("batch id must be >= 0, got " + batchId);
        }
        files = List.copyOf(files);
        offsets = List.copyOf(offsets);
        parameters = Map.copyOf(parameters);
    }

    /** {@code <pipeline>@<instanceId>}: the transaction id whose version is the batch id. */
    public String batchAppId() {
        return batchAppId(pipeline, instanceId);
    }

    /** The transaction id under which an instance of a pipeline commits its batch ids: {@code <pipeline>@<instanceId>}. */
    public static String batchAppId(String pipeline, String instanceId) {
        return pipeline + "@" + instanceId;
    }

    public long numRecords() {
        return files.stream().mapToLong(DataFile::numRecords).sum();
    }

    public long sizeBytes() {
        return files.stream().mapToLong(DataFile::sizeBytes).sum();
    }
}
