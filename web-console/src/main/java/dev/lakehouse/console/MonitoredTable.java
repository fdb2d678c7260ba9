package dev.lakehouse.console;

import dev.lakehouse.ingest.DeadLetterTable;
import dev.lakehouse.ingest.DeadLetterTopic;
import dev.lakehouse.ingest.IngestPipeline;
import java.util.List;
import java.util.Objects;

/**
 * One pipeline and its table as the console shows them.
 *
 * @param pipeline the running pipeline (its table is {@link IngestPipeline#table()})
 * @param topics what it reads, for display
 * @param deadLetters its dead-letter table, or null when dead letters go elsewhere or nowhere
 * @param deadLetterTopic its dead-letter topic, or null; examples are read from it when there is no table
 * @param smallFileBytes files below this size count as small (the compaction setting)
 */
public record MonitoredTable(IngestPipeline pipeline, List<String> topics, DeadLetterTable deadLetters,
                            DeadLetterTopic deadLetterTopic, long smallFileBytes) {

    public MonitoredTable {
        Objects.requireNonNull(pipeline, "pipeline");
        topics = List.copyOf(topics);
    }

    public String name() {
        return pipeline.name();
    }
}
