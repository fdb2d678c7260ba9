package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.BatchOutcome;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.table.OffsetRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * A batch's {@link BatchProgress}, as Spark's {@code StreamingQueryProgress} reports a micro-batch: its offsets per
 * partition and the latest offsets then, rows and bytes, input and processing rates, the time of each phase, files
 * and bytes written, dead letters by reason, and a keyed table's merge counts.
 */
final class BatchProgressReport {

    private BatchProgressReport() {
    }

    /**
     * The progress record of a sealed batch's outcome.
     *
     * @param writeNanos the time the writer spent encoding the batch's rows
     * @param commitNanos the time from the seal to the outcome
     */
    static BatchProgress of(PipelineSettings settings, BatchWriter.Task.Seal seal, BatchOutcome outcome, long version,
                            int filesWritten, long bytesWritten, BatchProgress.MergeCounts merge, long writeNanos,
                            long commitNanos) {
        BatchPlanner.PlannedBatch batch = seal.batch();
        long now = settings.services().clock().millis();
        long totalMillis = Math.max(1, now - batch.openedAtMillis());
        long arrivalMillis = Math.max(1, batch.sealedAtMillis() - batch.previousSealedAtMillis());
        List<BatchProgress.SourceProgress> sources = new ArrayList<>(batch.ranges().size());
        for (OffsetRange range : batch.ranges()) {
            sources.add(new BatchProgress.SourceProgress(range.topic(), range.partition(), range.startOffset(),
                    range.nextOffset(), seal.latestOffsets().getOrDefault(
                            new TopicPartition(range.topic(), range.partition()), -1L)));
        }
        return new BatchProgress(settings.name(), settings.instanceId(), seal.batchId(),
                Instant.ofEpochMilli(now).toString(), outcome, version, batch.records(), batch.bytes(),
                batch.records() * 1000.0 / arrivalMillis, batch.records() * 1000.0 / totalMillis,
                new BatchProgress.PhaseDurations(TimeUnit.NANOSECONDS.toMillis(seal.pollDecodeNanos()),
                        TimeUnit.NANOSECONDS.toMillis(writeNanos), TimeUnit.NANOSECONDS.toMillis(commitNanos),
                        totalMillis),
                sources, filesWritten, bytesWritten, seal.letters().size(),
                countByReason(seal.letters()), merge);
    }

    private static Map<String, Integer> countByReason(List<DeadLetter> letters) {
        Map<String, Integer> counts = new TreeMap<>();
        letters.forEach(letter -> counts.merge(letter.reason().name(), 1, Integer::sum));
        return counts;
    }
}
