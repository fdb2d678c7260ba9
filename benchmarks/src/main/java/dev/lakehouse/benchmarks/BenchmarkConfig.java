package dev.lakehouse.benchmarks;

import dev.lakehouse.app.config.ApplianceYaml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration the process benchmarks give {@code bin/lakehouse}: one Avro pipeline through the registry with
 * a fixed instance id, a local table, a 1 s trigger, and the console on a free localhost port, as deployed except
 * for the storage.
 */
final class BenchmarkConfig {

    private BenchmarkConfig() {
    }

    /** Writes it to {@code file}; returns {@code file}. */
    static Path write(Path file, String pipeline, String bootstrapServers, String topic, String registryUrl,
                      Path table) throws IOException {
        return write(file, pipeline, bootstrapServers, topic, registryUrl, table, p -> { });
    }

    /** The same with {@code changes} made to the pipeline's keys. */
    static Path write(Path file, String pipeline, String bootstrapServers, String topic, String registryUrl,
                      Path table, java.util.function.Consumer<ApplianceYaml.Pipeline> changes) throws IOException {
        ApplianceYaml yaml = new ApplianceYaml();
        ApplianceYaml.Pipeline settings = yaml.pipeline(pipeline)
                .set("instance-id", "bench-1")
                .set("source.bootstrap-servers", bootstrapServers)
                .set("source.topics", List.of(topic))
                .set("source.starting-position", "earliest")
                .set("format", "avro")
                .set("registry.url", registryUrl)
                .set("table.location", table.toUri().toString())
                .set("trigger.interval", "1s");
        changes.accept(settings);
        return yaml.console("host", "127.0.0.1").console("port", 0).write(file);
    }
}
