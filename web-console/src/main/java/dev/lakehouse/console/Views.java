package dev.lakehouse.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PartitionLag;
import java.util.List;
import java.util.Map;

/**
 * What the console's JSON API returns. Times are ISO-8601 strings, sizes bytes, rates records per second. Values
 * from topics, keys and payloads are returned as they are: the page writes them as text, never as markup.
 */
final class Views {

    private Views() {
    }

    /** One row of the overview: a pipeline and its table. */
    record OverviewRow(String name, List<String> topics, String state, String error, boolean paused,
                       String tableLocation, long tableVersion, String lastCommitAt, Double lastCommitAgeSeconds,
                       Double freshnessSeconds,
                       double inputRowsPerSecond, double processedRowsPerSecond, long totalLag, int files,
                       int smallFiles, long totalBytes, long records, RunView lastCompaction,
                       Long pendingDeadLetters, long deadLetteredSinceStart, String figuresReadAt,
                       ObjectiveView freshnessObjective) {
    }

    /**
     * A table's freshness objective and how it is met over its window: {@code ratio} the share of records committed
     * in time (null before any was judged), {@code burnRate} how fast the error budget burns (1: exactly over the
     * window), {@code met} whether the objective holds.
     */
    record ObjectiveView(String objective, String window, Double ratio, double burnRate, boolean met, long records) {
    }

    /** A compaction or vacuum run. */
    record RunView(String kind, String startedAt, long durationMs, String outcome, int filesBefore, long bytesBefore,
                   int filesAfter, long bytesAfter, String detail) {
    }

    /** Everything about one table. */
    /**
     * @param commitCoordination how concurrent commits are kept apart: {@code conditional-put} (several writers),
     *        {@code writer-lease} (one writer) or {@code local-file-lock}
     */
    record TableDetail(String name, String location, long version, String commitCoordination, List<FieldView> schema,
                       List<SchemaChangeView> schemaHistory, List<String> partitionColumns,
                       List<PartitionView> partitions, List<BucketView> fileSizes, List<CommitView> commits,
                       List<RunView> compactions, DeadLetterSummary deadLetters) {
    }

    record FieldView(String name, String type, boolean nullable) {
    }

    record SchemaChangeView(long version, String timestamp, String operation, List<String> addedColumns,
                            String writerSchema, int columnCount) {
    }

    record PartitionView(Map<String, String> values, int files, long bytes, long records) {
    }

    /** Files whose size falls in [{@code fromBytes}, {@code toBytes}); {@code toBytes} -1 for no upper bound. */
    record BucketView(String label, long fromBytes, long toBytes, int files) {
    }

    /**
     * A commit; for ingestion commits the batch id and the Kafka offsets it carries.
     *
     * @param offsets a list of {@code {topic, partition, startOffset, nextOffset}}, or null
     */
    record CommitView(long version, String timestamp, String operation, String batchId, String pipeline,
                      JsonNode offsets, String rows, String files, Map<String, String> parameters) {
    }

    /**
     * @param destination where dead letters go, in words
     * @param pendingByReason letters not replayed yet, by reason; null when the console cannot read them
     * @param sentSinceStartByReason letters this process sent to the destination since it started, by reason
     */
    record DeadLetterSummary(String destination, Map<String, Long> pendingByReason,
                             Map<String, Long> sentSinceStartByReason, List<DeadLetterExample> examples) {
    }

    record DeadLetterExample(String topic, int partition, long offset, String reason, String message, String key,
                             String value, String deadLetteredAt, String replayState) {
    }

    /**
     * The lag page of a pipeline.
     *
     * @param objective the table's freshness objective as written ({@code "95% within 10s"}), null without one
     */
    record LagView(String name, String state, long totalLag, List<PartitionLag> partitions,
                   List<LagHistory.Sample> series, List<BatchProgress> recentBatches, String objective) {
    }

    /**
     * The audit page of a table: its freshness objective, and the last offset audit of its log.
     *
     * @param state {@code RUNNING} (the first audit), {@code DONE}, or {@code FAILED} with {@code error}
     * @param renewing whether a newer audit is under way while this one is shown
     * @param objective the freshness objective, null without one
     */
    record AuditView(String name, String state, boolean renewing, String startedAt, String finishedAt, String error,
                     long fromVersion, long toVersion, boolean logTruncated, int commits, boolean ok,
                     List<AuditPartitionView> partitions, ObjectiveView objective) {
    }

    record AuditPartitionView(String topic, int partition, long firstOffset, long nextOffset, long tableNextOffset,
                              int commits, long skippedOffsets, int startOvers, List<String> problems) {
    }

    /** What the page needs to know about the visitor. */
    record SessionView(boolean loginRequired, boolean authenticated, String user, String role, boolean canAct,
                       String csrfToken) {
    }

    /** Readiness with the result of each check. */
    record HealthView(String status, List<CheckView> checks) {
    }

    record CheckView(String name, String status, String detail) {
    }
}
