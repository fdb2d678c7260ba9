package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ApplianceConfig.RegistryConfig;
import dev.lakehouse.console.HealthCheck;
import dev.lakehouse.ingest.RunningPipeline;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The appliance's readiness checks ({@code /health/ready}): every Kafka cluster and registry reachable, and per
 * pipeline its writer leases valid, its table's storage answering and its freshness. A pipeline's checks are kept
 * by its name, so that a deleted topic's pipeline takes its checks with it.
 */
final class ReadinessChecks {

    private final ApplianceConfig config;
    private final WriterLeases leases;
    private final Map<String, List<HealthCheck>> byPipeline = new ConcurrentHashMap<>();

    ReadinessChecks(ApplianceConfig config, WriterLeases leases) {
        this.config = config;
        this.leases = leases;
    }

    /** The checks of the clusters, the registries in use and every pipeline. */
    List<HealthCheck> all(Map<RegistryConfig, SchemaRegistryClient> registries, List<RunningPipeline> pipelines) {
        List<HealthCheck> checks = new ArrayList<>();
        Map<String, PipelineConfig> clusters = new LinkedHashMap<>();
        config.pipelines().forEach(p -> clusters.putIfAbsent(p.source().bootstrapServers(), p));
        clusters.forEach((servers, pipeline) -> checks.add(HealthChecks.kafka(servers,
                PipelineParts.securityProperties(pipeline.source().consumerProperties()))));
        registries.forEach((registry, client) -> checks.add(HealthChecks.registry(String.join(",", registry.urls()),
                client)));
        for (RunningPipeline pipeline : pipelines) {
            checks.addAll(of(pipeline));
        }
        return checks;
    }

    /** A pipeline's checks: its writer leases valid, its table's storage answering, and it keeps up. */
    List<HealthCheck> of(RunningPipeline pipeline) {
        List<HealthCheck> checks = new ArrayList<>();
        leases.heldBy(pipeline.name()).forEach(lease -> checks.add(HealthChecks.writerLease(lease)));
        checks.add(HealthChecks.storage(pipeline.name(), pipeline.table()));
        checks.add(HealthChecks.freshness(pipeline, config.console().readyMaxCommitAge(),
                config.console().readyMaxFreshness(), config.console().readyOnObjective(), Clock.systemUTC()));
        byPipeline.put(pipeline.name(), List.copyOf(checks));
        return checks;
    }

    /** Forgets a retired pipeline's checks; returns them (none if it had none). */
    List<HealthCheck> remove(String pipeline) {
        List<HealthCheck> checks = byPipeline.remove(pipeline);
        return checks == null ? List.of() : checks;
    }
}
