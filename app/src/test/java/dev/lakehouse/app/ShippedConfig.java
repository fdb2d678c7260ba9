package dev.lakehouse.app;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import java.io.IOException;
import java.nio.file.Files;
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
        Files.writeString(file, """
                pipelines:
                  - name: orders
                    instance-id: %s
                    source:
                      bootstrap-servers: %s
                      topics: [%s]
                      group-id: lakehouse-orders-%s
                      starting-position: earliest
                    format: avro
                    registry:
                      url: %s
                    table:
                      location: %s
                      partition-by: ["day(created_at) as order_date"]
                    trigger:
                      interval: 1s
                    compaction:
                      schedule: 10m
                console:
                  host: 127.0.0.1
                  port: 0
                """.formatted(instanceId, kafka.bootstrapServers(), topic, topic, registry.url(), location));
        return file;
    }
}
