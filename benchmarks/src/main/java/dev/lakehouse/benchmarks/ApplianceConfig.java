package dev.lakehouse.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration the process benchmarks give {@code bin/lakehouse}: one Avro pipeline through the registry with
 * a fixed instance id, a local table, a 1 s trigger, and the console on a free localhost port, as deployed except
 * for the storage.
 */
final class ApplianceConfig {

    private ApplianceConfig() {
    }

    /** Writes it to {@code file}; returns {@code file}. */
    static Path write(Path file, String pipeline, String bootstrapServers, String topic, String registryUrl,
                      Path table) throws IOException {
        Files.writeString(file, """
                pipelines:
                  - name: %s
                    instance-id: bench-1
                    source:
                      bootstrap-servers: %s
                      topics: [%s]
                      starting-position: earliest
                    format: avro
                    registry:
                      url: %s
                    table:
                      location: %s
                    trigger:
                      interval: 1s
                console:
                  host: 127.0.0.1
                  port: 0
                """.formatted(pipeline, bootstrapServers, topic, registryUrl, table.toUri()));
        return file;
    }
}
