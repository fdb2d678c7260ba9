package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.CompactionConfig;
import dev.lakehouse.app.config.ApplianceConfig.ConsoleConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ApplianceConfig.RegistryConfig;
import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.PartitionByParser;
import dev.lakehouse.compaction.CompactionSettings;
import dev.lakehouse.compaction.MaintenanceScheduler;
import dev.lakehouse.console.ApplianceMetrics;
import dev.lakehouse.console.ConsoleSettings;
import dev.lakehouse.console.ConsoleUser;
import dev.lakehouse.console.HealthCheck;
import dev.lakehouse.console.MonitoredTable;
import dev.lakehouse.console.WebConsole;
import dev.lakehouse.ingest.ConfluentAvroDecoder;
import dev.lakehouse.ingest.DeadLetterDestination;
import dev.lakehouse.ingest.DeadLetterTable;
import dev.lakehouse.ingest.DeadLetterTopic;
import dev.lakehouse.ingest.IngestPipeline;
import dev.lakehouse.ingest.JsonRecordDecoder;
import dev.lakehouse.ingest.PipelineSettings;
import dev.lakehouse.ingest.PipelineState;
import dev.lakehouse.ingest.RecordDecoder;
import dev.lakehouse.ingest.StartingPosition;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import org.apache.avro.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The running appliance: one {@link IngestPipeline} per configured pipeline, wired to its table, decoder and
 * registry. Pipelines are independent: one failing leaves the others running.
 */
public final class Appliance implements AutoCloseable {

    static final String ENGINE_INFO = "lakehouse-appliance/0.1.0";

    private final ApplianceConfig config;
    private final List<IngestPipeline> pipelines;
    private final List<MonitoredTable> monitored;
    private final MaintenanceScheduler maintenance;
    private final Map<RegistryConfig, SchemaRegistryClient> registries;
    private final ApplianceMetrics metrics;
    private final WriterLeases leases;
    private final InstanceLocks instanceLocks;
    private final RunMode mode;
    private WebConsole console;

    /** How long the appliance runs. */
    public enum RunMode {
        /** Until stopped: pipelines, scheduled maintenance and the console. */
        CONTINUOUS,
        /**
         * A catch-up run ({@code run --once}): each pipeline ingests up to the end offsets its partitions have when
         * assigned, commits and stops by itself; no maintenance is scheduled and no console is started.
         */
        CATCH_UP
    }

    private Appliance(ApplianceConfig config, RunMode mode, List<IngestPipeline> pipelines,
                      List<MonitoredTable> monitored, MaintenanceScheduler maintenance,
                      Map<RegistryConfig, SchemaRegistryClient> registries, WriterLeases leases,
                      InstanceLocks instanceLocks) {
        this.mode = mode;
        this.leases = leases;
        this.instanceLocks = instanceLocks;
        pipelines.forEach(leases::guard);
        this.config = config;
        this.pipelines = List.copyOf(pipelines);
        this.monitored = List.copyOf(monitored);
        this.maintenance = maintenance;
        this.registries = Map.copyOf(registries);
        this.metrics = new ApplianceMetrics();
        pipelines.forEach(metrics::bind);
        metrics.bind(maintenance);
    }

    /**
     * Builds (does not start) the pipelines of a validated configuration.
     *
     * @throws IllegalArgumentException if a setting is rejected by the engine (its message names it)
     * @throws UncheckedIOException if a JSON value schema file cannot be read
     */
    public static Appliance create(ApplianceConfig config) {
        return create(config, RunMode.CONTINUOUS);
    }

    /**
     * Builds (does not start) the pipelines of a validated configuration for a continuous or a catch-up run.
     *
     * @throws IllegalArgumentException if a setting is rejected by the engine (its message names it)
     * @throws UncheckedIOException if a JSON value schema file cannot be read
     */
    public static Appliance create(ApplianceConfig config, RunMode mode) {
        Map<RegistryConfig, SchemaRegistryClient> registries = new HashMap<>();
        List<IngestPipeline> pipelines = new ArrayList<>();
        List<MonitoredTable> monitored = new ArrayList<>();
        WriterLeases leases = new WriterLeases();
        InstanceLocks instanceLocks = new InstanceLocks();
        MaintenanceScheduler maintenance = new MaintenanceScheduler(Math.max(1, Math.min(4, config.pipelines().size())));
        try {
            // Identities first: a process refused here has touched no table and no group.
            config.pipelines().forEach(instanceLocks::claim);
            addPipelines(config, mode, registries, pipelines, monitored, maintenance, leases);
        } catch (RuntimeException e) {
            leases.close(); // a refused or failed start leaves no lease behind
            instanceLocks.close();
            maintenance.close();
            throw e;
        }
        return new Appliance(config, mode, pipelines, monitored, maintenance, registries, leases, instanceLocks);
    }

    private static void addPipelines(ApplianceConfig config, RunMode mode,
                                     Map<RegistryConfig, SchemaRegistryClient> registries,
                                     List<IngestPipeline> pipelines, List<MonitoredTable> monitored,
                                     MaintenanceScheduler maintenance, WriterLeases leases) {
        for (PipelineConfig pipeline : config.pipelines()) {
            RecordDecoder decoder = decoder(pipeline, registries);
            LakeTable table = leases.leased(table(pipeline), pipeline);
            DeadLetterTable deadLetterTable = deadLetterTable(pipeline, leases);
            DeadLetterTopic deadLetterTopic = deadLetterTopic(pipeline);
            PipelineSettings settings = settings(pipeline, mode == RunMode.CATCH_UP);
            IngestPipeline ingest = new IngestPipeline(settings, table, decoder,
                    deadLetters(deadLetterTable, deadLetterTopic));
            pipelines.add(ingest);
            monitored.add(new MonitoredTable(ingest, pipeline.source().topicPattern() != null
                    ? List.of("/" + pipeline.source().topicPattern() + "/") : pipeline.source().topics(),
                    deadLetterTable != null ? deadLetterTable : deadLetterTopic,
                    pipeline.compaction().smallFileSize()));
            // Maintenance shares the pipeline's table instance: one log per table in this process.
            maintenance.add(maintenance(pipeline, table));
        }
    }

    /**
     * Runs the engine's own checks of every pipeline (settings, partitioning, JSON value schemas) without opening a
     * table or connecting to anything.
     *
     * @throws IllegalArgumentException naming the rejected setting
     * @throws UncheckedIOException if a JSON value schema file cannot be read
     */
    public static void check(ApplianceConfig config) {
        for (PipelineConfig pipeline : config.pipelines()) {
            settings(pipeline);
            PartitionByParser.parse(pipeline.table().partitionBy());
            if (pipeline.valueSchemaFile() != null) {
                new JsonRecordDecoder(readSchema(pipeline.valueSchemaFile()));
            }
        }
    }

    public List<IngestPipeline> pipelines() {
        return pipelines;
    }

    /** The tables' compaction and vacuum jobs. */
    public MaintenanceScheduler maintenance() {
        return maintenance;
    }

    /** The appliance's meters, as {@code /metrics} exposes them. */
    public ApplianceMetrics metrics() {
        return metrics;
    }

    /** The web console, once {@link #start()} started it (when {@code console.enabled}). */
    public Optional<WebConsole> console() {
        return Optional.ofNullable(console);
    }

    /**
     * Starts the pipelines and, in a continuous run, the maintenance jobs and (when enabled) the console.
     *
     * @throws IllegalStateException if the console's port cannot be bound (the pipelines are stopped again)
     */
    public void start() {
        pipelines.forEach(IngestPipeline::start);
        if (mode == RunMode.CATCH_UP) {
            return; // nothing scheduled, nothing served: the run ends when its pipelines do
        }
        maintenance.start();
        ConsoleConfig settings = config.console();
        if (settings.enabled()) {
            try {
                console = WebConsole.start(consoleSettings(settings), monitored, maintenance, healthChecks(),
                        metrics);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    private static ConsoleSettings consoleSettings(ConsoleConfig console) {
        return new ConsoleSettings(console.host(), console.port(), console.users().stream()
                .map(u -> new ConsoleUser(u.name(), u.passwordHash(), u.role())).toList(), console.sessionTimeout());
    }

    /** Readiness: every cluster and registry reachable, every table's storage answering, every pipeline fresh. */
    private List<HealthCheck> healthChecks() {
        List<HealthCheck> checks = new ArrayList<>();
        Map<String, PipelineConfig> clusters = new LinkedHashMap<>();
        config.pipelines().forEach(p -> clusters.putIfAbsent(p.source().bootstrapServers(), p));
        clusters.forEach((servers, pipeline) -> checks.add(HealthChecks.kafka(servers,
                securityProperties(pipeline.source().consumerProperties()))));
        registries.forEach((registry, client) -> checks.add(HealthChecks.registry(String.join(",", registry.urls()),
                client)));
        leases.held().forEach(lease -> checks.add(HealthChecks.writerLease(lease)));
        for (IngestPipeline pipeline : pipelines) {
            checks.add(HealthChecks.storage(pipeline.name(), pipeline.table()));
            checks.add(HealthChecks.freshness(pipeline, config.console().readyMaxCommitAge(),
                    config.console().readyMaxFreshness(), Clock.systemUTC()));
        }
        return checks;
    }

    /** The client settings that reach a secured cluster: {@code security.*}, {@code sasl.*}, {@code ssl.*}. */
    static Map<String, Object> securityProperties(Map<String, String> consumerProperties) {
        Map<String, Object> security = new HashMap<>();
        consumerProperties.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                security.put(key, value);
            }
        });
        return security;
    }

    /** Asks every pipeline to commit its open batch and stop; maintenance stops firing. */
    public void stop() {
        pipelines.forEach(IngestPipeline::stop);
    }

    /** Waits until every pipeline has stopped or failed. @return false on timeout */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        for (IngestPipeline pipeline : pipelines) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || !pipeline.awaitTermination(left)) {
                return false;
            }
        }
        return true;
    }

    /** Whether any pipeline ended in {@link PipelineState#FAILED}. */
    public boolean anyFailed() {
        return pipelines.stream().anyMatch(p -> p.status().state() == PipelineState.FAILED);
    }

    /** The error of every pipeline that ended in {@link PipelineState#FAILED}, each naming its pipeline. */
    public List<String> failures() {
        return pipelines.stream().filter(p -> p.status().state() == PipelineState.FAILED)
                .map(p -> {
                    String error = String.valueOf(p.status().error());
                    return error.contains("pipeline " + p.name()) ? error : "pipeline " + p.name() + ": " + error;
                }).toList();
    }

    @Override
    public void close() {
        stop();
        if (console != null) {
            console.close();
        }
        maintenance.close();
        pipelines.forEach(IngestPipeline::close);
        leases.close(); // the next writer need not wait for them to expire
        instanceLocks.close();
        metrics.close();
    }

    /** A pipeline table's maintenance: scheduled when compaction is enabled, on demand otherwise. */
    static MaintenanceScheduler.TableMaintenance maintenance(PipelineConfig pipeline, LakeTable table) {
        CompactionConfig compaction = pipeline.compaction();
        MaintenanceScheduler.Schedule compactSchedule = null;
        MaintenanceScheduler.Schedule vacuumSchedule = null;
        if (compaction.enabled()) {
            compactSchedule = compaction.cron() != null ? MaintenanceScheduler.Schedule.cron(compaction.cron())
                    : MaintenanceScheduler.Schedule.every(compaction.interval());
            vacuumSchedule = compaction.vacuumInterval() == null ? null
                    : MaintenanceScheduler.Schedule.every(compaction.vacuumInterval());
        }
        return new MaintenanceScheduler.TableMaintenance(pipeline.name(), table, compactionSettings(pipeline),
                compactSchedule, vacuumSchedule, compaction.vacuumRetention());
    }

    static CompactionSettings compactionSettings(PipelineConfig pipeline) {
        return new CompactionSettings(pipeline.table().targetFileSize(), pipeline.compaction().smallFileSize(),
                pipeline.compaction().minInputFiles());
    }

    /** The pipeline's decoder, sharing one registry client per registry configuration. */
    static RecordDecoder decoder(PipelineConfig pipeline, Map<RegistryConfig, SchemaRegistryClient> registries) {
        return switch (pipeline.format()) {
            case AVRO -> new ConfluentAvroDecoder(registries.computeIfAbsent(pipeline.registry(), Appliance::registry));
            case JSON -> new JsonRecordDecoder(readSchema(pipeline.valueSchemaFile()));
        };
    }

    /** The pipeline's dead-letter destinations: its table and/or topic. */
    static DeadLetterDestination deadLetters(PipelineConfig pipeline) {
        return deadLetters(deadLetterTable(pipeline), deadLetterTopic(pipeline));
    }

    private static DeadLetterDestination deadLetters(DeadLetterTable table, DeadLetterTopic topic) {
        List<DeadLetterDestination> destinations = new ArrayList<>();
        if (table != null) {
            destinations.add(table);
        }
        if (topic != null) {
            destinations.add(topic);
        }
        return DeadLetterDestination.all(destinations);
    }

    /** The pipeline's dead-letter topic, or null when it has none. */
    private static DeadLetterTopic deadLetterTopic(PipelineConfig pipeline) {
        if (pipeline.deadLetters().topic() == null) {
            return null;
        }
        // The topic lives on the source cluster: reuse the consumer's security settings, nothing else.
        Map<String, Object> client = securityProperties(pipeline.source().consumerProperties());
        client.put("bootstrap.servers", pipeline.source().bootstrapServers());
        return new DeadLetterTopic(pipeline.deadLetters().topic(), pipeline.name(), client,
                new HashMap<>(pipeline.deadLetters().producerProperties()));
    }

    /** The pipeline's dead-letter table, or null when it has none. */
    static DeadLetterTable deadLetterTable(PipelineConfig pipeline) {
        return deadLetterTable(pipeline, null);
    }

    /** As {@link #deadLetterTable(PipelineConfig)}, behind a writer lease added to {@code leases} when not null. */
    static DeadLetterTable deadLetterTable(PipelineConfig pipeline, WriterLeases leases) {
        String location = pipeline.deadLetters().tableLocation();
        if (location == null) {
            return null;
        }
        TableOptions.Builder options = TableOptions.builder(location)
                .codec(pipeline.table().codec())
                .engineInfo(ENGINE_INFO);
        pipeline.table().hadoop().forEach(options::hadoopProperty);
        LakeTable table = LakeTable.open(options.build());
        if (leases != null) {
            table = leases.leased(table, pipeline);
        }
        return new DeadLetterTable(table, pipeline.name(), Clock.systemUTC());
    }

    static PipelineSettings settings(PipelineConfig pipeline) {
        return settings(pipeline, false);
    }

    static PipelineSettings settings(PipelineConfig pipeline, boolean catchUpOnly) {
        ApplianceConfig.SourceConfig source = pipeline.source();
        PipelineSettings.Builder settings = PipelineSettings.builder(pipeline.name())
                .instanceId(pipeline.instanceId())
                .bootstrapServers(source.bootstrapServers())
                .groupId(source.groupId())
                .startingPosition(StartingPosition.parse(source.startingPosition()))
                .triggerInterval(pipeline.trigger().interval())
                .maxRecords(pipeline.trigger().maxRecords())
                .maxBytes(pipeline.trigger().maxBytes())
                .maxBytesInFlight(pipeline.trigger().maxBytesInFlight())
                .onIncompatibleSchema(pipeline.onIncompatibleSchema())
                .onOffsetGap(source.onOffsetGap())
                .onTopicRecreated(source.onTopicRecreated())
                .leaveGroupOnStop(source.leaveGroupOnStop())
                .maxRecordBytes(source.maxRecordSize())
                .requiredColumns(pipeline.table().requiredColumns())
                .kafkaMetadata(pipeline.table().kafkaMetadata())
                .catchUpOnly(catchUpOnly);
        if (source.topicPattern() != null) {
            settings.topicPattern(Pattern.compile(source.topicPattern()));
        } else {
            settings.topics(source.topics());
        }
        source.consumerProperties().forEach(settings::consumerProperty);
        return settings.build();
    }

    static LakeTable table(PipelineConfig pipeline) {
        ApplianceConfig.TableConfig table = pipeline.table();
        TableOptions.Builder options = TableOptions.builder(table.location())
                .partitionSpec(PartitionByParser.parse(table.partitionBy()))
                .targetFileSizeBytes(table.targetFileSize())
                .codec(table.codec())
                .engineInfo(ENGINE_INFO);
        table.properties().forEach(options::tableProperty);
        table.hadoop().forEach(options::hadoopProperty);
        return LakeTable.open(options.build());
    }

    private static SchemaRegistryClient registry(RegistryConfig registry) {
        RegistryClientConfig.Builder config = RegistryClientConfig.builder(String.join(",", registry.urls()))
                .connectTimeout(registry.timeout())
                .readTimeout(registry.timeout());
        if (registry.userInfo() != null) {
            config.userInfo(registry.userInfo());
        }
        if (registry.trustStore() != null) {
            char[] password = registry.trustStorePassword() == null ? new char[0]
                    : registry.trustStorePassword().toCharArray();
            String type = registry.trustStore().endsWith(".jks") ? "JKS" : "PKCS12";
            config.trustStore(Path.of(registry.trustStore()), password, type);
        }
        return SchemaRegistryClient.connect(config.build());
    }

    private static Schema readSchema(String file) {
        try {
            return new Schema.Parser().parse(Path.of(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the value schema " + file, e);
        }
    }
}
