package dev.lakehouse.console;

import dev.lakehouse.ingest.deadletter.DeadLetterSummaries;
import dev.lakehouse.ingest.status.PipelineView;
import java.util.List;
import java.util.Objects;

/**
 * One pipeline and its table as the console shows them.
 *
 * @param pipeline the running pipeline (its table is {@link PipelineView#table()})
 * @param topics what it reads, for display
 * @param deadLetters where its dead letters are read back from (its dead-letter table if it has one, else its
 *        dead-letter topic), or null when they go nowhere readable
 * @param smallFileBytes files below this size count as small (the compaction setting)
 */
public record MonitoredTable(PipelineView pipeline, List<String> topics, DeadLetterSummaries deadLetters,
                            long smallFileBytes) {

    public MonitoredTable {
        Objects.requireNonNull(pipeline, "pipeline");
        topics = List.copyOf(topics);
    }

    public String name() {
        return pipeline.name();
    }
}
