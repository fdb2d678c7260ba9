package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.ConsoleConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ApplianceConfig.RegistryConfig;
import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.PartitionByParser;
import dev.lakehouse.compaction.MaintenanceScheduler;
import dev.lakehouse.console.ApplianceMetrics;
import dev.lakehouse.console.ConsoleSettings;
import dev.lakehouse.console.ConsoleUser;
import dev.lakehouse.console.HealthCheck;
import dev.lakehouse.console.MonitoredTable;
import dev.lakehouse.console.WebConsole;
import dev.lakehouse.ingest.IngestPipeline;
import dev.lakehouse.ingest.RunningPipeline;
import dev.lakehouse.ingest.TopicFanIn;
import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.DeadLetterTopic;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.table.LakeTable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: one {@link IngestPipeline} per configured pipeline, wired to its table, decoder and
 * registry. Pipelines are independent: one failing leaves the others running.
 *
 * <p>A pipeline whose table location contains {@code {topic}} is a template: each of its topics (listed, or
 * matching its pattern, also topics created while running) gets a table of its own, named
 * {@code <pipeline>.<topic>}, with its own offsets, schema, dead letters, lease, maintenance, console row and
 * metrics ({@link TopicDiscovery}); all of them are read by one consumer, the template's {@link TopicFanIn}, so
 * hundreds of topics cost one group member and one poll thread.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);
    static final String ENGINE_INFO = "lakehouse-appliance/0.1.0";

    private final ApplianceConfig config;
    private final RunMode mode;
    private final List<RunningPipeline> pipelines = new CopyOnWriteArrayList<>();
    /** The consumers of table-per-topic pipelines, by pipeline name. */
    private final Map<String, TopicFanIn> fanIns = new ConcurrentHashMap<>();
    private final List<MonitoredTable> monitored = new CopyOnWriteArrayList<>();
    private final TopicDiscoveries discoveries = new TopicDiscoveries(this::stopped);
    /** The topics' pipelines whose identity this process holds. */
    private final java.util.Set<String> claimed = ConcurrentHashMap.newKeySet();
    private final MaintenanceScheduler maintenance;
    private final Map<RegistryConfig, SchemaRegistryClient> registries = new ConcurrentHashMap<>();
    private final ApplianceMetrics metrics = new ApplianceMetrics();
    private final WriterLeases leases = new WriterLeases();
    private final ReadinessChecks readiness;
    private final InstanceLocks instanceLocks = new InstanceLocks();
    /** Guarded by this: whether pipelines added from now on start at once, and whether none may be added. */
    private boolean started;
    private boolean stopped;
    private WebConsole console;

    /** How long the appliance runs. */
    public enum RunMode {
        /** Until stopped: pipelines, scheduled maintenance and the console. */
        CONTINUOUS,
        /**
         * A catch-up run ({@code run --once}): each pipeline ingests up to the end offsets its partitions have when
         * assigned, commits and stops by itself; no maintenance is scheduled and no console is started. Topics of a
         * table-per-topic pipeline are found once, at start.
         */
        CATCH_UP
    }

    private Appliance(ApplianceConfig config, RunMode mode) {
        this.config = config;
        this.mode = mode;
        this.readiness = new ReadinessChecks(config, leases);
        this.maintenance = new MaintenanceScheduler(Math.max(1, Math.min(4, config.pipelines().size())));
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
     * Builds (does not start) the pipelines of a validated configuration for a continuous or a catch-up run. The
     * pipelines of a table-per-topic template are made when {@link #start()} finds their topics.
     *
     * @throws IllegalArgumentException if a setting is rejected by the engine (its message names it)
     * @throws UncheckedIOException if a JSON value schema file cannot be read
     */
    public static Appliance create(ApplianceConfig config, RunMode mode) {
        Appliance appliance = new Appliance(config, mode);
        try {
            // Identities first: a process refused here has touched no table and no group.
            config.pipelines().stream().filter(p -> !p.tablePerTopic()).forEach(appliance.instanceLocks::claim);
            for (PipelineConfig pipeline : config.pipelines()) {
                if (pipeline.tablePerTopic()) {
                    appliance.addTemplate(pipeline);
                } else {
                    appliance.add(pipeline);
                }
            }
        } catch (RuntimeException e) {
            appliance.close(); // a refused or failed start leaves no lease behind
            throw e;
        }
        return appliance;
    }

    private void addTemplate(PipelineConfig template) {
        TopicFanIn fanIn = new TopicFanIn(PipelineParts.settings(template, mode == RunMode.CATCH_UP));
        fanIns.put(template.name(), fanIn);
        metrics.bindConsumers(template.name(), fanIn::addConsumerListener);
        TopicLister lister = TopicLister.empty();
        if (template.source().topicPattern() != null) {
            Map<String, Object> client = PipelineParts.securityProperties(template.source().consumerProperties());
            client.put("bootstrap.servers", template.source().bootstrapServers());
            lister = TopicLister.kafka(client);
        }
        discoveries.add(template, new TopicDiscovery(template, lister, topicPipeline -> {
            if (claimed.add(topicPipeline.name())) { // a topic whose pipeline failed is tried again: claim once
                try {
                    instanceLocks.claim(topicPipeline);
                } catch (RuntimeException e) {
                    claimed.remove(topicPipeline.name());
                    throw e;
                }
            }
            add(topicPipeline, fanIn);
        }, this::retire), lister);
    }

    /**
     * Stops the pipeline of a deleted topic and releases everything it holds: its threads and consumer, its
     * writer lease and instance lock, its maintenance jobs, its console row and readiness checks, its meters. Its
     * table stays as it is; if the topic is created again, discovery makes a new pipeline, which decides from the
     * table's recorded topic id what to do ({@code source.on-topic-recreated}).
     */
    private void retire(PipelineConfig topicPipeline) {
        String name = topicPipeline.name();
        RunningPipeline ingest;
        MonitoredTable shown;
        synchronized (this) {
            ingest = pipelines.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
            shown = monitored.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
            if (ingest != null) {
                pipelines.remove(ingest);
            }
            if (shown != null) {
                monitored.remove(shown);
            }
        }
        List<HealthCheck> checks = readiness.remove(name);
        if (console != null) {
            console.removeTable(name, checks);
        }
        maintenance.remove(name);
        maintenance.remove(name + ".dead_letters");
        if (ingest != null) {
            ingest.retire(); // the clean stop: commits what it holds, leaves the group, ends its threads
        }
        leases.release(name);
        instanceLocks.release(name);
        metrics.unbind(name);
        claimed.remove(name);
    }

    /**
     * Makes a pipeline with its table, dead letters, lease and maintenance, and shows it; once the appliance has
     * started, starts it too.
     *
     * @throws IllegalStateException if the appliance is stopping
     */
    private void add(PipelineConfig pipeline) {
        add(pipeline, null);
    }

    /**
     * As {@link #add(PipelineConfig)}; a topic's table of a table-per-topic pipeline is read by the pipeline's
     * {@code fanIn}, any other pipeline ({@code fanIn} null) by a consumer of its own.
     */
    private synchronized void add(PipelineConfig pipeline, TopicFanIn fanIn) {
        if (stopped) {
            throw new IllegalStateException("the appliance is stopping");
        }
        RecordDecoder decoder = PipelineParts.decoder(pipeline, registries);
        LakeTable table = leases.leased(PipelineParts.table(pipeline), pipeline);
        DeadLetterTable deadLetterTable = PipelineParts.deadLetterTable(pipeline, leases);
        DeadLetterTopic deadLetterTopic = PipelineParts.deadLetterTopic(pipeline);
        PipelineSettings settings = PipelineParts.settings(pipeline, mode == RunMode.CATCH_UP);
        DeadLetterDestination deadLetters = PipelineParts.deadLetters(deadLetterTable, deadLetterTopic);
        RunningPipeline ingest = fanIn == null ? new IngestPipeline(settings, table, decoder, deadLetters)
                : fanIn.addTable(settings, table, decoder, deadLetters);
        MonitoredTable shown = new MonitoredTable(ingest, pipeline.source().topicPattern() != null
                ? List.of("/" + pipeline.source().topicPattern() + "/") : pipeline.source().topics(),
                deadLetterTable != null ? deadLetterTable : deadLetterTopic,
                pipeline.compaction().smallFileSize());
        // Maintenance shares the pipeline's table instance: one log per table in this process.
        maintenance.add(PipelineParts.maintenance(pipeline, table));
        if (deadLetterTable != null) {
            maintenance.add(PipelineParts.deadLetterMaintenance(pipeline, deadLetterTable.table()));
        }
        leases.guard(ingest);
        metrics.bind(ingest);
        pipelines.add(ingest);
        monitored.add(shown);
        if (started) {
            ingest.start();
            if (console != null) {
                console.addTable(shown, readiness.of(ingest));
            }
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
            PipelineParts.settings(pipeline);
            PartitionByParser.parse(pipeline.table().partitionBy());
            if (pipeline.valueSchemaFile() != null) {
                new JsonRecordDecoder(PipelineParts.readSchema(pipeline.valueSchemaFile()));
            }
        }
    }

    /** The pipelines made so far (a table-per-topic pipeline's grow as its topics are found). */
    public List<RunningPipeline> pipelines() {
        return List.copyOf(pipelines);
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
     * Starts the pipelines, finds the topics of table-per-topic pipelines (their pipelines start as they are
     * found) and, in a continuous run, the maintenance jobs, the periodic topic discovery and (when enabled) the
     * console.
     *
     * @throws IllegalStateException if the console's port cannot be bound (the pipelines are stopped again), or, in
     *     a catch-up run, if the topics of a table-per-topic pipeline cannot be listed
     */
    public void start() {
        synchronized (this) {
            started = true;
            pipelines.forEach(RunningPipeline::start);
        }
        discoveries.discoverAll(mode == RunMode.CATCH_UP);
        // After the first discovery: the consumer's first subscription holds every topic found at start. A catch-up
        // run's fan-in without a topic has nothing to catch up.
        for (TopicDiscovery discovery : discoveries.all()) {
            if (mode != RunMode.CATCH_UP || !discovery.topics().isEmpty()) {
                fanIns.get(discovery.pipeline()).start();
            }
        }
        if (mode == RunMode.CATCH_UP) {
            return; // nothing scheduled, nothing served: the run ends when its pipelines do
        }
        maintenance.start();
        ConsoleConfig settings = config.console();
        if (settings.enabled()) {
            try {
                synchronized (this) {
                    console = WebConsole.start(consoleSettings(settings), List.copyOf(monitored), maintenance,
                            readiness.all(registries, pipelines), metrics);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        discoveries.schedule();
    }

    private synchronized boolean stopped() {
        return stopped;
    }

    private static ConsoleSettings consoleSettings(ConsoleConfig console) {
        return new ConsoleSettings(console.host(), console.port(), console.users().stream()
                .map(u -> new ConsoleUser(u.name(), u.passwordHash(), u.role())).toList(), console.sessionTimeout());
    }

    /** Asks every pipeline to commit its open batch and stop; no topic's pipeline is added from now on. */
    public void stop() {
        synchronized (this) {
            stopped = true;
        }
        discoveries.stop();
        fanIns.values().forEach(TopicFanIn::stop);
        pipelines.forEach(RunningPipeline::stop);
    }

    /** Waits until every pipeline has stopped or failed. @return false on timeout */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        for (RunningPipeline pipeline : pipelines) {
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
        fanIns.values().forEach(TopicFanIn::close);
        pipelines.forEach(RunningPipeline::close);
        discoveries.close();
        leases.close(); // the next writer need not wait for them to expire
        instanceLocks.close();
        metrics.close();
    }
}
