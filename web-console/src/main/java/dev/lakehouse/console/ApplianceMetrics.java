package dev.lakehouse.console;

import dev.lakehouse.compaction.MaintenanceControl;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.ingest.status.FreshnessObjective;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * The appliance's meters in one Prometheus registry. Every name starts with {@code lakehouse_} (the Kafka
 * consumer's and the JVM's own meters are renamed into it) and carries its base unit, so the scrape reads e.g.
 * {@code lakehouse_ingest_records_total{pipeline="orders"}}, {@code lakehouse_batch_duration_seconds},
 * {@code lakehouse_consumer_lag_records{pipeline,topic,partition}}, {@code lakehouse_dead_letter_records_total{reason}}.
 *
 * <p>Counters count from this process's start; batch counters follow the batch progress records; the lag gauges
 * are set from the pipelines' status at each scrape.
 */
public final class ApplianceMetrics implements AutoCloseable {

    static final String PREFIX = "lakehouse.";

    private final PrometheusMeterRegistry registry;
    private final Map<String, MultiGauge> lagGauges = new ConcurrentHashMap<>();
    private final Map<String, PipelineView> pipelines = new ConcurrentHashMap<>();
    private final Map<Consumer<?, ?>, KafkaClientMetrics> consumerMetrics = new ConcurrentHashMap<>();
    /**
     * One thread refreshes every consumer's client meters (Micrometer makes a thread per consumer otherwise: a
     * thread per table in a process with a table per topic).
     */
    private final java.util.concurrent.ScheduledExecutorService kafkaMetricsRefresh =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "lakehouse-kafka-metrics");
                thread.setDaemon(true);
                return thread;
            });
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final java.time.Clock clock;

    /** Meters whose ages (such as the last commit's) are measured against the system clock. */
    public ApplianceMetrics() {
        this(java.time.Clock.systemUTC());
    }

    /** Meters whose ages are measured against {@code clock}. */
    public ApplianceMetrics(java.time.Clock clock) {
        this.clock = clock;
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // One namespace for everything this process exports, the Kafka client's and the JVM's meters included.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
            }
        });
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        registry.getPrometheusRegistry().register(new VisibilityCollector(pipelines::values));
    }

    /** Meters of one pipeline: batch counters and timers, dead letters by reason, its consumer's metrics. */
    public void bind(PipelineView pipeline) {
        String name = pipeline.name();
        pipelines.put(name, pipeline);
        Tags tags = Tags.of("pipeline", name);
        Counter records = Counter.builder("lakehouse.ingest.records").baseUnit("records").tags(tags)
                .description("Kafka records committed to the table as rows").register(registry);
        Counter bytes = Counter.builder("lakehouse.ingest.bytes").baseUnit(BaseUnits.BYTES).tags(tags)
                .description("Serialized key and value bytes of the records committed").register(registry);
        Counter files = Counter.builder("lakehouse.written.files").baseUnit("files").tags(tags)
                .description("Data files added to the table").register(registry);
        Counter fileBytes = Counter.builder("lakehouse.written.bytes").baseUnit(BaseUnits.BYTES).tags(tags)
                .description("Bytes of the data files added").register(registry);
        // Batch sizes show whether a pipeline that is behind catches up in large batches, as it should.
        DistributionSummary batchRecords = DistributionSummary.builder("lakehouse.batch.records").baseUnit("records")
                .tags(tags).description("Records per committed batch").serviceLevelObjectives(1_024, 10_000, 100_000,
                        1_000_000).register(registry);
        Timer batchDuration = Timer.builder("lakehouse.batch.duration").tags(tags)
                .description("From a batch's first record to the end of its commit").register(registry);
        Timer commitDuration = Timer.builder("lakehouse.commit.duration").tags(tags)
                .description("Closing a batch's files and committing it to the table").register(registry);
        pipeline.addProgressListener(progress -> {
            Counter.builder("lakehouse.batches").baseUnit("batches").tags(tags).tag("outcome", progress.outcome().name())
                    .description("Batches by outcome (COMMITTED, or why skipped)").register(registry).increment();
            batchDuration.record(progress.durationMs().total(), TimeUnit.MILLISECONDS);
            commitDuration.record(progress.durationMs().commit(), TimeUnit.MILLISECONDS);
            if (countsAsIngested(progress)) {
                batchRecords.record(progress.numInputRows());
                records.increment(Math.max(0, progress.numInputRows() - progress.deadLetters()));
                bytes.increment(progress.inputBytes());
                files.increment(progress.filesWritten());
                fileBytes.increment(progress.bytesWritten());
            }
            if (progress.merge() != null) {
                BatchProgress.MergeCounts merge = progress.merge();
                for (Map.Entry<String, Long> change : Map.of("inserted", merge.inserted(), "updated", merge.updated(),
                        "deleted", merge.deleted(), "copied", merge.copied(), "skipped", merge.skipped()).entrySet()) {
                    Counter.builder("lakehouse.merge.rows").baseUnit("rows").tags(tags).tag("change", change.getKey())
                            .description("Rows of keyed tables' merges: inserted, updated, deleted, and copied from "
                                    + "rewritten files (the write amplification)").register(registry)
                            .increment(change.getValue());
                }
                Counter.builder("lakehouse.merge.rewritten.files").baseUnit("files").tags(tags)
                        .description("Files keyed tables' merges rewrote").register(registry)
                        .increment(merge.filesRewritten());
            }
            progress.deadLettersByReason().forEach((reason, count) -> Counter.builder("lakehouse.dead.letter.records")
                    .baseUnit("records").tags(tags).tag("reason", reason)
                    .description("Records sent to the dead-letter destination, by reason").register(registry)
                    .increment(count));
        });
        pipeline.addConsumerListener(consumerMeters(name));
        Gauge.builder("lakehouse.pipeline.running", pipeline, p -> isRunning(p.status().state()) ? 1 : 0)
                .tags(tags).description("1 while the pipeline runs (or is paused), 0 when stopped or failed")
                .register(registry);
        Gauge.builder("lakehouse.pipeline.paused", pipeline, p -> p.isPaused() ? 1 : 0).tags(tags)
                .description("1 while an operator has paused the pipeline").register(registry);
        TimeGauge.builder("lakehouse.last.commit.age", pipeline, TimeUnit.SECONDS,
                        this::lastCommitAgeSeconds).tags(tags)
                .description("Seconds since this run last committed a batch; NaN before the first").register(registry);
        TimeGauge.builder("lakehouse.freshness", pipeline, TimeUnit.SECONDS, this::freshnessSeconds).tags(tags)
                .description("Age of the newest committed record: now minus the largest Kafka timestamp this run "
                        + "committed; NaN before the first").register(registry);
        if (pipeline.status().freshnessObjective() != null) {
            FreshnessObjective objective = pipeline.status().freshnessObjective().objective();
            Gauge.builder("lakehouse.freshness.objective.target", () -> objective.percent() / 100).tags(tags)
                    .tag("objective", objective.describe()).baseUnit("ratio")
                    .description("The share of records the table's freshness objective asks to be committed in time")
                    .register(registry);
            Gauge.builder("lakehouse.freshness.objective", pipeline, p -> compliance(p, FreshnessCompliance::ratio)).tags(tags)
                    .baseUnit("ratio").description("The share of records committed within the freshness objective's "
                            + "time over its window (records not committed yet and already late count as late); "
                            + "NaN before any record was judged").register(registry);
            Gauge.builder("lakehouse.freshness.objective.burn.rate", pipeline, p -> compliance(p, FreshnessCompliance::burnRate))
                    .tags(tags).description("How fast the freshness objective's error budget burns: 1 spends it "
                            + "exactly over the window, above 1 sooner").register(registry);
        }
        Gauge.builder("lakehouse.commit.coordination", () -> 1).tags(tags)
                .tag("mode", pipeline.table().options().commitCoordination().label())
                .description("How concurrent commits to the table are kept apart: conditional-put (several writers), "
                        + "writer-lease (one writer) or local-file-lock").register(registry);
        lagGauges.put(name, MultiGauge.builder("lakehouse.consumer.lag").baseUnit("records")
                .description("Records in the partition not yet committed to the table").register(registry));
    }

    /**
     * Removes every meter of a pipeline that is gone for good (its topic was deleted), so {@code /metrics} keeps no
     * series of it; its consumer's meters went when the consumer closed.
     */
    public void unbind(String pipeline) {
        pipelines.remove(pipeline);
        MultiGauge lag = lagGauges.remove(pipeline);
        if (lag != null) {
            lag.register(List.of(), true);
        }
        for (Meter meter : List.copyOf(registry.getMeters())) {
            String table = meter.getId().getTag("table"); // maintenance meters: the table and its dead letters
            if (pipeline.equals(meter.getId().getTag("pipeline")) || pipeline.equals(table)
                    || (pipeline + ".dead_letters").equals(table)) {
                registry.remove(meter);
            }
        }
    }

    /**
     * Meters the Kafka client of each consumer that {@code register} reports, tagged with {@code pipeline}: for a
     * consumer that reads for many tables, whose tables report none of their own.
     */
    public void bindConsumers(String pipeline, java.util.function.Consumer<ConsumerListener> register) {
        register.accept(consumerMeters(pipeline));
    }

    private ConsumerListener consumerMeters(String name) {
        return new ConsumerListener() {
            @Override
            public void opened(Consumer<?, ?> consumer) {
                KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, Tags.of("pipeline", name),
                        kafkaMetricsRefresh);
                metrics.bindTo(registry);
                consumerMetrics.put(consumer, metrics);
            }

            @Override
            public void closing(Consumer<?, ?> consumer) {
                KafkaClientMetrics metrics = consumerMetrics.remove(consumer);
                if (metrics != null) {
                    metrics.close(); // removes its meters: the next run's consumer registers fresh ones
                }
            }
        };
    }

    /** Meters of the maintenance jobs: runs by table, kind and outcome, and their duration. */
    public void bind(MaintenanceControl maintenance) {
        maintenance.addRunListener((table, run) -> {
            String kind = run.kind().name().toLowerCase(java.util.Locale.ROOT);
            Tags tags = Tags.of("table", table, "kind", kind, "outcome", run.outcome().name());
            Counter.builder("lakehouse.compaction.runs").baseUnit("runs").tags(tags)
                    .description("Compaction and vacuum runs").register(registry).increment();
            Timer.builder("lakehouse.compaction.duration").tags(Tags.of("table", table, "kind", kind))
                    .description("Duration of compaction and vacuum runs").register(registry).record(run.duration());
            Counter.builder("lakehouse.compaction.removed.files").baseUnit("files")
                    .tags(Tags.of("table", table, "kind", kind))
                    .description("Files compacted or vacuumed away").register(registry).increment(run.filesBefore());
        });
    }

    /** Replaces the pipeline's per-partition lag gauges with its current lags (partitions come and go). */
    private void refreshLag(PipelineView pipeline) {
        MultiGauge gauge = lagGauges.get(pipeline.name());
        if (gauge == null) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (PartitionLag lag : pipeline.status().partitions()) {
            if (lag.lag() >= 0) {
                rows.add(MultiGauge.Row.of(Tags.of("pipeline", pipeline.name(), "topic", lag.topic(),
                        "partition", Integer.toString(lag.partition())), lag.lag()));
            }
        }
        gauge.register(rows, true);
    }

    /** The Prometheus text exposition of every meter, the lag gauges read at this moment. */
    public String scrape() {
        pipelines.values().forEach(this::refreshLag);
        return registry.scrape();
    }

    @Override
    public void close() {
        consumerMetrics.values().forEach(KafkaClientMetrics::close);
        kafkaMetricsRefresh.shutdownNow();
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception ignored) {
                // closing meters at shutdown: nothing to do about a failure
            }
        }
        registry.close();
    }

    private static boolean countsAsIngested(BatchProgress progress) {
        return progress.outcome().committed();
    }

    private static boolean isRunning(PipelineState state) {
        return state == PipelineState.RUNNING || state == PipelineState.PAUSED || state == PipelineState.RETRYING;
    }

    private static double compliance(PipelineView pipeline, java.util.function.ToDoubleFunction<FreshnessCompliance> of) {
        FreshnessCompliance compliance = pipeline.status().freshnessObjective();
        return compliance == null ? Double.NaN : of.applyAsDouble(compliance);
    }

    private double freshnessSeconds(PipelineView pipeline) {
        Duration freshness = pipeline.status().freshness(clock.instant());
        return freshness == null ? Double.NaN : freshness.toMillis() / 1000.0;
    }

    private double lastCommitAgeSeconds(PipelineView pipeline) {
        Instant last = pipeline.status().lastCommit();
        return last == null ? Double.NaN : Duration.between(last, clock.instant()).toMillis() / 1000.0;
    }
}
