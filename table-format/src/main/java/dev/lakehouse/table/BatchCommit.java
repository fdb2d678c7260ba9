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
 * @param replacedNextOffsets under {@link OffsetCheck#RESET}: for each range's transaction id
 *                            ({@link OffsetRange#appId}), the next offset in the table that the reset replaces
 *                            (-1: none); empty otherwise
 */
public record BatchCommit(String pipeline, String instanceId, long batchId, List<DataFile> files,
                          List<OffsetRange> offsets, Map<String, String> parameters, OffsetCheck offsetCheck,
                          Map<String, Long> replacedNextOffsets) implements TableChange<CommitOutcome> {

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
         * Each range replaces the table's next offset of its partition, compare-and-set: only if that offset is
         * still the one the reset replaces ({@link #replacedNextOffsets}), checked inside the committing transaction
         * like every other batch's offsets; otherwise {@link OffsetsMovedException} and nothing is committed. For a
         * topic deleted and created again under its name, whose offsets start over. Use {@link #reset}.
         */
        RESET
    }

    /** A batch whose ranges must be {@link OffsetCheck#CONTIGUOUS}. */
    public BatchCommit(String pipeline, String instanceId, long batchId, List<DataFile> files,
                       List<OffsetRange> offsets, Map<String, String> parameters) {
        this(pipeline, instanceId, batchId, files, offsets, parameters, OffsetCheck.CONTIGUOUS);
    }

    /** A batch whose ranges continue the table's offsets as {@code offsetCheck} says (not {@code RESET}). */
    public BatchCommit(String pipeline, String instanceId, long batchId, List<DataFile> files,
                       List<OffsetRange> offsets, Map<String, String> parameters, OffsetCheck offsetCheck) {
        this(pipeline, instanceId, batchId, files, offsets, parameters, offsetCheck, Map.of());
    }

    /**
     * A commit without files that sets each range's partition to its {@code nextOffset}, provided the table's next
     * offset of that partition is still {@code replacedNextOffsets.get(range.appId(pipeline))} (-1: none).
     */
    public static BatchCommit reset(String pipeline, String instanceId, long batchId, List<OffsetRange> offsets,
                                    Map<String, Long> replacedNextOffsets, Map<String, String> parameters) {
        return new BatchCommit(pipeline, instanceId, batchId, List.of(), offsets, parameters, OffsetCheck.RESET,
                replacedNextOffsets);
    }

    public BatchCommit {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(offsetCheck, "offsetCheck");
        replacedNextOffsets = Map.copyOf(replacedNextOffsets);
        if (offsetCheck == OffsetCheck.RESET) {
            for (OffsetRange range : offsets) {
                if (!replacedNextOffsets.containsKey(range.appId(pipeline))) {
                    throw new IllegalArgumentException("a reset must say which next offset of " + range.appId(pipeline)
                            + " it replaces (-1: none)");
                }
            }
        } else if (!replacedNextOffsets.isEmpty()) {
            throw new IllegalArgumentException("replaced next offsets are for resets only");
        }
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
