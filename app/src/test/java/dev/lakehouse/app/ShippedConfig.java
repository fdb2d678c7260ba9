package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The pipeline configuration {@code deploy/lakehouse.yaml} ships (a fixed instance id, Avro through the registry,
 * day partitions, compaction every 10 minutes, the console on), on a local table and a 1 s trigger, for tests that
 * run the appliance as production does. The consumer group is the topic's own: tests share one broker, and a
 * static member that a catch-up run or a SIGKILL left in a shared group would hold up every later join to it for
 * the session timeout; instances of one test on one topic still share their group.
 */
final class ShippedConfig {

    private ShippedConfig() {
    }

    /** Writes it to {@code file} and returns {@code file}. */
    static Path write(Path file, LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic, String location,
                      String instanceId) throws IOException {
        return write(file, kafka, registry, topic, location, instanceId, pipeline -> { });
    }

    /** The same configuration with {@code changes} made to its pipeline, written to {@code file}. */
    static Path write(Path file, LocalKafkaBroker kafka, SchemaRegistryServer registry, String topic, String location,
                      String instanceId, java.util.function.Consumer<ApplianceYaml.Pipeline> changes)
            throws IOException {
        ApplianceYaml yaml = new ApplianceYaml();
        ApplianceYaml.Pipeline pipeline = pipeline(yaml, "orders", kafka, registry, topic, location, instanceId)
                .set("table.partition-by", java.util.List.of("day(created_at) as order_date"));
        changes.accept(pipeline);
        return yaml.console("host", "127.0.0.1").console("port", 0).write(file);
    }

    /**
     * Adds a pipeline of the shipped kind (fixed instance id, Avro through the registry, a 1 s trigger, compaction
     * every 10 minutes, unpartitioned) reading {@code topic} in a group of its own.
     */
    static ApplianceYaml.Pipeline pipeline(ApplianceYaml yaml, String name, LocalKafkaBroker kafka,
                                           SchemaRegistryServer registry, String topic, String location,
                                           String instanceId) {
        return yaml.pipeline(name)
                .set("instance-id", instanceId)
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topics", java.util.List.of(topic))
                .set("source.group-id", "lakehouse-" + name + "-" + topic)
                .set("source.starting-position", "earliest")
                .set("format", "avro")
                .set("registry.url", registry.url())
                .set("table.location", location)
                .set("trigger.interval", "1s")
                .set("compaction.schedule", "10m");
    }
}
