package dev.lakehouse.ingest.source;

/**
 * A topic the table has offsets for was deleted and created again under its name (its Kafka topic id changed):
 * the table's offsets belong to the old topic, and applying them to the new one would skip its first records
 * without a word. Not transient: stops the pipeline unless {@code source.on-topic-recreated: start-over}.
 */
public final class TopicRecreatedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TopicRecreatedException(String message) {
        super(message);
    }
}
