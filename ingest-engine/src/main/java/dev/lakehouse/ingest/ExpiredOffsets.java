package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.OffsetGapPolicy;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.OffsetsExpiredException;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code on-offset-gap} policy: what happens when the table's next offset of a partition is no longer in Kafka
 * (retention deleted records before they were ingested). {@code fail} stops with a message naming the lost range;
 * {@code skip} records the lost range in the table as an empty batch and continues at the earliest offset left.
 */
final class ExpiredOffsets {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredOffsets.class);

    private final PipelineSettings settings;
    private final LakeTable table;
    private final BatchIdSequence batchIds;

    ExpiredOffsets(PipelineSettings settings, LakeTable table, BatchIdSequence batchIds) {
        this.settings = settings;
        this.table = table;
        this.batchIds = batchIds;
    }

    /** Whether the pipeline skips lost ranges (else {@link #failure} is thrown). */
    boolean skipping() {
        return settings.failures().onOffsetGap() == OffsetGapPolicy.SKIP;
    }

    /**
     * Commits the lost ranges as an empty batch (visible in the table history as {@code skippedOffsets}). The
     * caller has dropped everything in flight, and seeks from the table afterwards.
     *
     * @throws OffsetsExpiredException if an offset is out of range without records lost to retention (past the
     *         end: the topic was recreated, or the table belongs to another cluster); skipping would go backwards
     */
    void skip(OffsetOutOfRangeException e, Consumer<?, ?> consumer, TablePositions positions) {
        Set<TopicPartition> expired = e.offsetOutOfRangePartitions().keySet();
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(expired);
        List<OffsetRange> skipped = new ArrayList<>();
        for (TopicPartition partition : expired) {
            long next = positions.tableNextOffset(partition);
            Long first = earliest.get(partition);
            if (next < 0 || first == null || first <= next) {
                throw failure(e);
            }
            skipped.add(new OffsetRange(partition.topic(), partition.partition(), next, first));
        }
        StringBuilder description = new StringBuilder();
        for (OffsetRange range : skipped) {
            description.append(description.length() == 0 ? "" : ", ").append(range.topic()).append('-')
                    .append(range.partition()).append(" offsets ").append(range.startOffset()).append(" to ")
                    .append(range.nextOffset() - 1);
        }
        CommitOutcome outcome = table.commit(new BatchCommit(settings.name(), settings.instanceId(),
                batchIds.next(), List.of(), skipped, Map.of("skippedOffsets", description.toString(),
                "skipReason", "deleted by Kafka retention before ingestion (on-offset-gap: skip)")));
        LOG.warn("pipeline {}: SKIPPED {}: Kafka retention deleted them before they were ingested; recorded in table "
                + "{} ({} at version {})", settings.name(), description, table.location(), outcome.status(),
                outcome.version());
    }

    /** The error that stops the pipeline under {@code fail}, naming every lost position. */
    OffsetsExpiredException failure(OffsetOutOfRangeException e) {
        StringBuilder message = new StringBuilder("pipeline " + settings.name() + ": the table's next offset is no "
                + "longer in Kafka for ");
        e.offsetOutOfRangePartitions().forEach((partition, offset) -> message.append(partition).append(" (offset ")
                .append(offset).append(") "));
        message.append("- retention deleted records before they were ingested. Nothing past the table's offsets was "
                + "committed. Restore the records, or accept the loss explicitly; the pipeline will not skip them "
                + "on its own.");
        return new OffsetsExpiredException(message.toString(), e);
    }
}
