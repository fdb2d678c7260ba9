package dev.lakehouse.ingest.source;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * Told when a pipeline creates and closes its Kafka consumer, for instance to bind the consumer's own metrics. A
 * pipeline creates a new consumer after each restart from a transient failure, so a listener may see several.
 * Both calls run on the pipeline's poll thread; they must be quick and must not throw.
 */
public interface ConsumerListener {

    /** The consumer was created; it has not polled yet. */
    void opened(Consumer<?, ?> consumer);

    /** The consumer is about to be closed; it must not be used after this returns. */
    void closing(Consumer<?, ?> consumer);
}
