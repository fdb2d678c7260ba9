package dev.lakehouse.ingest.source;

import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Makes the Kafka consumer of each pipeline run. Production uses {@link #kafka()}; unit tests of the poll loop
 * hand in Kafka's {@code MockConsumer}.
 */
@FunctionalInterface
public interface ConsumerFactory {

    /**
     * A new consumer with these properties (the engine's: byte-array deserializers, no auto-commit, its group).
     * The caller closes it.
     */
    Consumer<byte[], byte[]> create(Properties properties);

    /** A real {@link KafkaConsumer}. */
    static ConsumerFactory kafka() {
        return KafkaConsumer::new;
    }
}
