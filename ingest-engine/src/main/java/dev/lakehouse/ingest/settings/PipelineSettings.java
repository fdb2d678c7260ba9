package dev.lakehouse.ingest.settings;

import dev.lakehouse.common.Sleeper;
import dev.lakehouse.ingest.resources.ProcessByteBudget;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.source.ConsumerFactory;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.FreshnessObjective;
import dev.lakehouse.ingest.status.PipelineStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Who one pipeline is, and its settings by concern: {@link #source()} (what it reads), {@link #limits()} (when
 * batches close), {@link #keys()} (a keyed table's settings), {@link #failures()} (what a broken assumption does),
 * {@link #services()} (time, Kafka, the process's shared resources). Immutable; build with {@link #builder(String)}.
 */
public final class PipelineSettings {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern COLUMN_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /** Whether {@code text} names a column, or a nested one by a dotted path ({@code customer.email}). */
    public static boolean isColumnPath(String text) {
        return COLUMN_PATH.matcher(text).matches();
    }

    private final String name;
    private final String instanceId;
    private final boolean fixedInstanceId;
    private final FreshnessObjective freshnessObjective;
    private final int progressHistory;
    private final List<String> requiredColumns;
    private final SourceSettings source;
    private final BatchLimits limits;
    private final KeyedTableSettings keys;
    private final FailurePolicies failures;
    private final PipelineServices services;
    private final boolean kafkaMetadata;

    private PipelineSettings(Builder b, SourceSettings source, BatchLimits limits, KeyedTableSettings keys) {
        this.name = b.name;
        this.instanceId = b.instanceId != null ? b.instanceId : UUID.randomUUID().toString().substring(0, 8);
        this.fixedInstanceId = b.instanceId != null;
        this.source = source;
        this.freshnessObjective = b.freshnessObjective;
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
    public static Builder builder(String name) {
        return new Builder(name);
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

    /** Builder; {@link #build()} validates and names the offending setting. */
    public static final class Builder {
        private final String name;
        private String instanceId;
        private List<String> topics = List.of();
        private Pattern topicPattern;
        private String groupId;
        private final Map<String, Object> consumerProperties = new LinkedHashMap<>();
        private StartingPosition startingPosition = StartingPosition.earliest();
        private Duration triggerInterval = Duration.ofSeconds(30);
        private FreshnessObjective freshnessObjective;
        private long maxRecords = 1_000_000;
        private long maxBytes = 256L * 1024 * 1024;
        private long maxBytesInFlight;
        private int progressHistory = 100;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.system();
        private ConsumerFactory consumerFactory = ConsumerFactory.kafka();
        private ProcessByteBudget processByteBudget = ProcessByteBudget.shared();
        private WriterPool writerPool = WriterPool.shared();
        private IncompatibleSchemaPolicy onIncompatibleSchema = IncompatibleSchemaPolicy.DEAD_LETTER;
        private OffsetGapPolicy onOffsetGap = OffsetGapPolicy.FAIL;
        private TopicRecreatedPolicy onTopicRecreated = TopicRecreatedPolicy.FAIL;
        private TopicIdLookup topicIds;
        private long maxRecordBytes = 16L * 1024 * 1024;
        private List<String> requiredColumns = List.of();
        private List<String> keyColumns = List.of();
        private boolean keyed;
        private String kafkaKeyColumn;
        private String versionColumn;
        private boolean insertOnly;
        private boolean softDeletes;
        private boolean changeMetadata;
        private Envelope envelope = Envelope.NONE;
        private boolean leaveGroupOnStop;
        private boolean catchUpOnly;
        private boolean kafkaMetadata;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder instanceId(String id) {
            this.instanceId = id;
            return this;
        }

        public Builder topics(List<String> topics) {
            this.topics = List.copyOf(topics);
            return this;
        }

        public Builder topicPattern(Pattern pattern) {
            this.topicPattern = pattern;
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder bootstrapServers(String servers) {
            return consumerProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        }

        /** Passes a Kafka consumer property through (security, tuning). */
        public Builder consumerProperty(String key, Object value) {
            consumerProperties.put(key, value);
            return this;
        }

        public Builder startingPosition(StartingPosition position) {
            this.startingPosition = Objects.requireNonNull(position, "startingPosition");
            return this;
        }

        /** See {@link PipelineSettings#freshnessObjective()}; null for none. */
        public Builder freshnessObjective(FreshnessObjective objective) {
            this.freshnessObjective = objective;
            return this;
        }

        public Builder triggerInterval(Duration interval) {
            this.triggerInterval = interval;
            return this;
        }

        public Builder maxRecords(long records) {
            this.maxRecords = records;
            return this;
        }

        /** See {@link BatchLimits#maxBytesInFlight()}; 0 for the default. */
        public Builder maxBytesInFlight(long bytes) {
            this.maxBytesInFlight = bytes;
            return this;
        }

        public Builder maxBytes(long bytes) {
            this.maxBytes = bytes;
            return this;
        }

        public Builder progressHistory(int batches) {
            this.progressHistory = batches;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** See {@link PipelineServices#writerPool()}. */
        public Builder writerPool(WriterPool pool) {
            this.writerPool = Objects.requireNonNull(pool, "writerPool");
            return this;
        }

        /** See {@link PipelineServices#processByteBudget()}. */
        public Builder processByteBudget(ProcessByteBudget budget) {
            this.processByteBudget = Objects.requireNonNull(budget, "processByteBudget");
            return this;
        }

        public Builder consumerFactory(ConsumerFactory factory) {
            this.consumerFactory = Objects.requireNonNull(factory, "consumerFactory");
            return this;
        }

        public Builder onIncompatibleSchema(IncompatibleSchemaPolicy policy) {
            this.onIncompatibleSchema = Objects.requireNonNull(policy, "onIncompatibleSchema");
            return this;
        }

        public Builder onTopicRecreated(TopicRecreatedPolicy policy) {
            this.onTopicRecreated = Objects.requireNonNull(policy, "onTopicRecreated");
            return this;
        }

        public Builder topicIds(TopicIdLookup lookup) {
            this.topicIds = Objects.requireNonNull(lookup, "topicIds");
            return this;
        }

        public Builder onOffsetGap(OffsetGapPolicy policy) {
            this.onOffsetGap = Objects.requireNonNull(policy, "onOffsetGap");
            return this;
        }

        public Builder maxRecordBytes(long bytes) {
            this.maxRecordBytes = bytes;
            return this;
        }

        /** See {@link SourceSettings#leaveGroupOnStop()}. */
        public Builder leaveGroupOnStop(boolean leave) {
            this.leaveGroupOnStop = leave;
            return this;
        }

        /** See {@link SourceSettings#catchUpOnly()}. */
        public Builder catchUpOnly(boolean catchUpOnly) {
            this.catchUpOnly = catchUpOnly;
            return this;
        }

        /** See {@link PipelineSettings#kafkaMetadata()}. */
        public Builder kafkaMetadata(boolean kafkaMetadata) {
            this.kafkaMetadata = kafkaMetadata;
            return this;
        }

        public Builder requiredColumns(List<String> columns) {
            this.requiredColumns = List.copyOf(columns);
            return this;
        }

        /** See {@link KeyedTableSettings#versionColumn()}; null for none. */
        public Builder versionColumn(String column) {
            this.versionColumn = column;
            return this;
        }

        /** See {@link KeyedTableSettings#insertOnly()}. */
        public Builder insertOnly(boolean insertOnly) {
            this.insertOnly = insertOnly;
            return this;
        }

        /** See {@link KeyedTableSettings#softDeletes()}. */
        public Builder softDeletes(boolean softDeletes) {
            this.softDeletes = softDeletes;
            return this;
        }

        /** See {@link KeyedTableSettings#changeMetadata()}. */
        public Builder changeMetadata(boolean changeMetadata) {
            this.changeMetadata = changeMetadata;
            return this;
        }

        /** See {@link KeyedTableSettings#envelope()}. */
        public Builder envelope(Envelope envelope) {
            this.envelope = java.util.Objects.requireNonNull(envelope, "envelope");
            return this;
        }

        /** See {@link KeyedTableSettings#columns()}; key columns make the table {@link KeyedTableSettings#keyed()}. */
        public Builder keyColumns(List<String> columns) {
            this.keyColumns = List.copyOf(columns);
            return this;
        }

        /**
         * See {@link KeyedTableSettings#kafkaKeyColumn()}: the table is keyed by this one column, which the pipeline
         * adds (a string) and fills with each record's Kafka key.
         */
        public Builder kafkaKeyColumn(String column) {
            this.kafkaKeyColumn = column;
            return this;
        }

        /**
         * See {@link KeyedTableSettings#keyed()}: true without {@link #keyColumns} takes the key from the table, or
         * from the Kafka key of the record that creates it.
         */
        public Builder keyed(boolean keyed) {
            this.keyed = keyed;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting that is missing or wrong
         */
        public PipelineSettings build() {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("pipeline name '" + name + "' must be 1-100 letters, digits, '_', "
                        + "'.' or '-', starting with a letter or digit (it is part of the table's transaction ids)");
            }
            if (instanceId != null && !NAME.matcher(instanceId).matches()) {
                throw new IllegalArgumentException("instance id '" + instanceId + "' must be 1-100 letters, digits, "
                        + "'_', '.' or '-'");
            }
            SourceSettings source = named(() -> new SourceSettings(topics, topicPattern,
                    groupId != null ? groupId : "lakehouse-" + name, consumerProperties, startingPosition,
                    leaveGroupOnStop, catchUpOnly));
            BatchLimits limits = named(() -> new BatchLimits(triggerInterval, maxRecords, maxBytes,
                    maxBytesInFlight == 0 ? BatchLimits.defaultBytesInFlight() : maxBytesInFlight,
                    maxBytesInFlight != 0, maxRecordBytes));
            for (String column : requiredColumns) {
                if (!isColumnPath(column)) {
                    throw new IllegalArgumentException("pipeline " + name + ": required column '" + column + "' must be "
                            + "a column name, or a dotted path to a nested one (customer.email)");
                }
            }
            KeyedTableSettings keys = named(() -> new KeyedTableSettings(keyColumns, keyed, kafkaKeyColumn,
                    versionColumn, insertOnly, softDeletes, changeMetadata, envelope));
            if (progressHistory < 1) {
                throw new IllegalArgumentException("pipeline " + name + ": progress history must be at least 1");
            }
            return new PipelineSettings(this, source, limits, keys);
        }

        /** What {@code part} makes, its {@link IllegalArgumentException} prefixed with the pipeline's name. */
        private <T> T named(java.util.function.Supplier<T> part) {
            try {
                return part.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pipeline " + name + ": " + e.getMessage(), e);
            }
        }
    }
}
