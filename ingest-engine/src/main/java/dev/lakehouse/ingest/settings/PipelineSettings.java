package dev.lakehouse.ingest.settings;

import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.FreshnessObjective;
import dev.lakehouse.ingest.status.PipelineStatus;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Who one pipeline is, and its settings by concern: {@link #source()} (what it reads), {@link #limits()} (when
 * batches close), {@link #keys()} (a keyed table's settings), {@link #failures()} (what a broken assumption does),
 * {@link #services()} (time, Kafka, the process's shared resources). Immutable; build with {@link #builder(String)}.
 */
public final class PipelineSettings {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern COLUMN_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /** Whether {@code text} names a column, or a nested one by a dotted path ({@code customer.email}). */
    public static boolean isColumnPath(String text) {
        return COLUMN_PATH.matcher(text).matches();
    }

    private final String name;
    private final String instanceId;
    private final boolean fixedInstanceId;
    private final FreshnessObjective freshnessObjective;
    private final String freshnessEventTime;
    private final int progressHistory;
    private final List<String> requiredColumns;
    private final SourceSettings source;
    private final BatchLimits limits;
    private final KeyedTableSettings keys;
    private final FailurePolicies failures;
    private final PipelineServices services;
    private final boolean kafkaMetadata;

    PipelineSettings(PipelineSettingsBuilder b, SourceSettings source, BatchLimits limits, KeyedTableSettings keys) {
        this.name = b.name;
        this.instanceId = b.instanceId != null ? b.instanceId : UUID.randomUUID().toString().substring(0, 8);
        this.fixedInstanceId = b.instanceId != null;
        this.source = source;
        this.freshnessObjective = b.freshnessObjective;
        this.freshnessEventTime = b.freshnessEventTime;
        this.progressHistory = b.progressHistory;
        this.requiredColumns = List.copyOf(b.requiredColumns);
        this.limits = limits;
        this.keys = keys;
        this.failures = new FailurePolicies(b.onIncompatibleSchema, b.onOffsetGap, b.onTopicRecreated);
        this.services = new PipelineServices(b.clock, b.sleeper, b.consumerFactory, b.processByteBudget, b.writerPool,
                b.topicIds != null ? b.topicIds : TopicIdLookup.kafka(source.consumerProperties()));
        this.kafkaMetadata = b.kafkaMetadata;
    }

    /** What the pipeline reads, and how its consumer joins and leaves the group. */
    public SourceSettings source() {
        return source;
    }

    /** When batches close, and the bytes the pipeline may hold. */
    public BatchLimits limits() {
        return limits;
    }

    /** Whether the table holds one row per key, and how records change it; {@link KeyedTableSettings#APPEND} if not. */
    public KeyedTableSettings keys() {
        return keys;
    }

    /** What the pipeline does when the input or Kafka breaks an assumption. */
    public FailurePolicies failures() {
        return failures;
    }

    /** The pipeline's seams to time, Kafka and the process's shared resources. */
    public PipelineServices services() {
        return services;
    }

    /** Starts settings for a pipeline; the name goes into table transaction ids, so it must stay stable. */
    public static PipelineSettingsBuilder builder(String name) {
        return new PipelineSettingsBuilder(name);
    }

    public String name() {
        return name;
    }

    /**
     * This instance's id, part of the batch transaction id {@code <name>@<instanceId>}. Random per run unless set.
     * Either way batch ids continue after the highest one the tables hold under that app id, so a restart with a
     * fixed id never reuses a batch id; offsets, not batch ids, carry progress across runs.
     */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Whether the instance id was configured (stable across restarts) rather than drawn per run. A fixed id makes
     * the consumer a static group member ({@link #groupInstanceId()}), so a restarted instance gets its partitions
     * back at once, and makes batch ids continue across restarts; it must then belong to one running process only.
     */
    public boolean hasFixedInstanceId() {
        return fixedInstanceId;
    }

    /**
     * The consumer's {@code group.instance.id}: the configured consumer property when there is one, else
     * {@code <pipeline>-<instanceId>} for a fixed instance id, else null (a dynamic member).
     */
    public String groupInstanceId() {
        Object configured = source.consumerProperties().get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (configured != null) {
            return configured.toString();
        }
        return fixedInstanceId ? name + "-" + instanceId : null;
    }

    /**
     * The table's freshness objective ({@code table.freshness-objective}), judged per committed batch and shown as
     * {@link PipelineStatus#freshnessObjective()}; null for none (the default).
     */
    public FreshnessObjective freshnessObjective() {
        return freshnessObjective;
    }

    /**
     * The top-level timestamp column whose value is a record's time for freshness and the freshness objective
     * ({@code table.freshness-event-time}), instead of its Kafka timestamp; null for the Kafka timestamp (the
     * default). Rows where it is null are not judged; dead letters and deletions are judged by their Kafka timestamp.
     */
    public String freshnessEventTime() {
        return freshnessEventTime;
    }

    /** How many batch progress records are kept for {@code IngestPipeline.recentProgress()}. */
    public int progressHistory() {
        return progressHistory;
    }

    /** Columns (dotted paths for nested ones) a row must have non-null, else it is a dead letter. Default none. */
    public List<String> requiredColumns() {
        return requiredColumns;
    }

    /**
     * Whether every row carries the Kafka record it came from in a nullable struct column {@code _kafka}
     * ({@code topic}, {@code partition}, {@code offset}, {@code timestamp}, {@code key}). Default false.
     */
    public boolean kafkaMetadata() {
        return kafkaMetadata;
    }
}
