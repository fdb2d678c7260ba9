package dev.lakehouse.ingest;

import dev.lakehouse.common.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * What one pipeline reads, how it batches, and who it is. Immutable; build with {@link #builder(String)}.
 *
 * <p>Batches close at whichever comes first: {@code maxRecords}, {@code maxBytes} (serialized key and value
 * bytes) or {@code triggerInterval} after the batch's first record. A batch with no records is never committed.
 */
public final class PipelineSettings {

    /** Consumer settings the engine owns (it keeps offsets in the table and seeks itself); refused if given. */
    public static final Set<String> MANAGED_CONSUMER_KEYS = Set.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern COLUMN_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /** Whether {@code text} names a column, or a nested one by a dotted path ({@code customer.email}). */
    public static boolean isColumnPath(String text) {
        return COLUMN_PATH.matcher(text).matches();
    }

    private final String name;
    private final String instanceId;
    private final boolean fixedInstanceId;
    private final List<String> topics;
    private final Pattern topicPattern;
    private final String groupId;
    private final Map<String, Object> consumerProperties;
    private final StartingPosition startingPosition;
    private final Duration triggerInterval;
    private final FreshnessObjective freshnessObjective;
    private final long maxRecords;
    private final long maxBytes;
    private final long maxBytesInFlight;
    private final boolean maxBytesInFlightConfigured;
    private final int progressHistory;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ConsumerFactory consumerFactory;
    private final ProcessByteBudget processByteBudget;
    private final WriterPool writerPool;
    private final IncompatibleSchemaPolicy onIncompatibleSchema;
    private final OffsetGapPolicy onOffsetGap;
    private final TopicRecreatedPolicy onTopicRecreated;
    private final TopicIdLookup topicIds;
    private final long maxRecordBytes;
    private final List<String> requiredColumns;
    private final List<String> keyColumns;
    private final boolean keyed;
    private final String kafkaKeyColumn;
    private final String versionColumn;
    private final boolean insertOnly;
    private final boolean softDeletes;
    private final boolean changeMetadata;
    private final Envelope envelope;
    private final boolean leaveGroupOnStop;
    private final boolean catchUpOnly;
    private final boolean kafkaMetadata;

    /** What to do with records whose writer schema the table cannot take. */
    public enum IncompatibleSchemaPolicy {
        /** Stop the pipeline with a message naming the field, the table's type and the new type. */
        FAIL,
        /** Send those records to the dead-letter destination ({@code INCOMPATIBLE_SCHEMA}) and keep going. */
        DEAD_LETTER
    }

    /** What to do when a topic the table has offsets for was deleted and created again under its name. */
    public enum TopicRecreatedPolicy {
        /** Stop with a message naming the topic and both ids. */
        FAIL,
        /** Read the new topic from its beginning; the table's offsets of the old one are replaced by a commit. */
        START_OVER
    }

    /** What to do when the table's next offset of a partition is no longer in Kafka (retention deleted it). */
    public enum OffsetGapPolicy {
        /** Stop with a message naming topic, partition and the lost range. */
        FAIL,
        /** Continue at the earliest offset still in Kafka, recording the skipped range in the table history. */
        SKIP
    }

    private PipelineSettings(Builder b) {
        this.name = b.name;
        this.instanceId = b.instanceId != null ? b.instanceId : UUID.randomUUID().toString().substring(0, 8);
        this.fixedInstanceId = b.instanceId != null;
        this.topics = List.copyOf(b.topics);
        this.topicPattern = b.topicPattern;
        this.groupId = b.groupId != null ? b.groupId : "lakehouse-" + b.name;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
        this.startingPosition = b.startingPosition;
        this.triggerInterval = b.triggerInterval;
        this.freshnessObjective = b.freshnessObjective;
        this.maxRecords = b.maxRecords;
        this.maxBytes = b.maxBytes;
        this.maxBytesInFlight = b.maxBytesInFlight > 0 ? b.maxBytesInFlight : defaultBytesInFlight();
        this.maxBytesInFlightConfigured = b.maxBytesInFlight > 0;
        this.progressHistory = b.progressHistory;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.consumerFactory = b.consumerFactory;
        this.processByteBudget = b.processByteBudget;
        this.writerPool = b.writerPool;
        this.onIncompatibleSchema = b.onIncompatibleSchema;
        this.onOffsetGap = b.onOffsetGap;
        this.onTopicRecreated = b.onTopicRecreated;
        this.topicIds = b.topicIds != null ? b.topicIds : TopicIdLookup.kafka(this.consumerProperties);
        this.maxRecordBytes = b.maxRecordBytes;
        this.requiredColumns = List.copyOf(b.requiredColumns);
        this.keyColumns = List.copyOf(b.keyColumns);
        this.keyed = b.keyed || !b.keyColumns.isEmpty();
        this.kafkaKeyColumn = b.kafkaKeyColumn;
        this.versionColumn = b.versionColumn;
        this.insertOnly = b.insertOnly;
        this.softDeletes = b.softDeletes;
        this.changeMetadata = b.changeMetadata;
        this.envelope = b.envelope;
        this.leaveGroupOnStop = b.leaveGroupOnStop;
        this.catchUpOnly = b.catchUpOnly;
        this.kafkaMetadata = b.kafkaMetadata;
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
        Object configured = consumerProperties.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (configured != null) {
            return configured.toString();
        }
        return fixedInstanceId ? name + "-" + instanceId : null;
    }

    /** Topics to subscribe to; empty when a pattern is used. */
    public List<String> topics() {
        return topics;
    }

    /** The subscription pattern, or null when topics are listed. */
    public Pattern topicPattern() {
        return topicPattern;
    }

    public String groupId() {
        return groupId;
    }

    /** Consumer properties passed through to Kafka (bootstrap servers, security, tuning). */
    public Map<String, Object> consumerProperties() {
        return consumerProperties;
    }

    public StartingPosition startingPosition() {
        return startingPosition;
    }

    /**
     * The table's freshness objective ({@code table.freshness-objective}), judged per committed batch and shown as
     * {@link PipelineStatus#freshnessObjective()}; null for none (the default).
     */
    public FreshnessObjective freshnessObjective() {
        return freshnessObjective;
    }

    public Duration triggerInterval() {
        return triggerInterval;
    }

    public long maxRecords() {
        return maxRecords;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * How many bytes of read records (rows on their way to Parquet, dead letters with their payloads) may be held
     * between Kafka and the table at once; the poll thread waits while they are spent, and an open batch whose dead
     * letters reach half of it closes early. Counted as serialized key and value bytes. Default: an eighth of the
     * JVM's maximum heap, at least 16 MiB: decoded rows take several times their serialized size on the heap (a
     * 94-byte order is about 500 bytes of objects), and Parquet buffers a row group beside them.
     */
    public long maxBytesInFlight() {
        return maxBytesInFlight;
    }

    /** Whether {@link #maxBytesInFlight()} was configured rather than the default. */
    public boolean maxBytesInFlightConfigured() {
        return maxBytesInFlightConfigured;
    }

    private static long defaultBytesInFlight() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /** How many batch progress records are kept for {@link IngestPipeline#recentProgress()}. */
    public int progressHistory() {
        return progressHistory;
    }

    public Clock clock() {
        return clock;
    }

    /** How the pipeline waits (its restart backoff); beside {@link #clock()} so tests need not wait. */
    public Sleeper sleeper() {
        return sleeper;
    }

    /** Makes each run's consumer; {@link ConsumerFactory#kafka()} unless a test hands in another. */
    public ConsumerFactory consumerFactory() {
        return consumerFactory;
    }

    /** What the bytes in flight of every pipeline of the process draw on together; by default the process's own. */
    public ProcessByteBudget processByteBudget() {
        return processByteBudget;
    }

    /** The threads that write and commit this pipeline's batches, shared with the process's other pipelines. */
    public WriterPool writerPool() {
        return writerPool;
    }

    /** Default {@link IncompatibleSchemaPolicy#DEAD_LETTER}. */
    public IncompatibleSchemaPolicy onIncompatibleSchema() {
        return onIncompatibleSchema;
    }

    /** Default {@link OffsetGapPolicy#FAIL}. */
    /** Default {@link TopicRecreatedPolicy#FAIL}. */
    public TopicRecreatedPolicy onTopicRecreated() {
        return onTopicRecreated;
    }

    /** Where topic ids come from: the source cluster, unless a test hands in another lookup. */
    public TopicIdLookup topicIds() {
        return topicIds;
    }

    public OffsetGapPolicy onOffsetGap() {
        return onOffsetGap;
    }

    /** Records whose key and value exceed this many bytes are dead letters ({@code RECORD_TOO_LARGE}). Default 16 MiB. */
    public long maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Columns (dotted paths for nested ones) a row must have non-null, else it is a dead letter. Default none. */
    public List<String> requiredColumns() {
        return requiredColumns;
    }

    /**
     * The configured key columns (top level) of a table that holds one row per key ({@code table.key}): each batch is
     * merged ({@link dev.lakehouse.table.KeyedMerge}), the newest row of a key replacing the table's, and a record
     * with a null value (a tombstone) deleting its key's row. Empty: every record is appended, or, for a
     * {@link #keyed()} table, the key is the one the table recorded at its creation, or else the fields of the Kafka
     * key of the record that creates it ({@link TableKey}).
     */
    public List<String> keyColumns() {
        return keyColumns;
    }

    /** How a record's value carries its row: as the row itself, or inside a change-data-capture envelope. */
    public enum Envelope {
        /** The value is the row; in a keyed table a null value (a tombstone) deletes its key. */
        NONE,
        /**
         * The value is Debezium's change event ({@code before}, {@code after}, {@code source}, {@code op},
         * {@code ts_ms}) as Kafka Connect's JSON converter writes it, with its {@code schema}/{@code payload}
         * wrapper or without: {@code c}, {@code u} and {@code r} (snapshot reads) upsert the {@code after} row,
         * {@code d} deletes the key of {@code before}; the tombstone after a delete deletes it again (nothing).
         */
        DEBEZIUM
    }

    /** See {@link Envelope}. Default {@link Envelope#NONE}. */
    public Envelope envelope() {
        return envelope;
    }

    /**
     * A keyed table's version column, or null: a row replaces its key's row only if its version is not lower, so
     * late and reordered events never overwrite newer rows.
     */
    public String versionColumn() {
        return versionColumn;
    }

    /**
     * Whether a keyed table only inserts ({@code table.mode: dedupe}): a row is added only if the table has none for
     * its key, for producers that resend; tombstones are dead letters as in an append table.
     */
    public boolean insertOnly() {
        return insertOnly;
    }

    /**
     * Whether a tombstone deletes its key's row (an upsert table). Also with Debezium's envelope, where the
     * tombstone follows the delete event: applying it again changes nothing, and when log compaction removed the
     * delete event before it was read, the tombstone is the deletion.
     */
    public boolean deletesOnTombstones() {
        return keyed() && !insertOnly;
    }

    /**
     * Whether a deletion keeps its key's row with {@link ChangeColumns#DELETED} true ({@code table.soft-deletes}),
     * instead of removing it; a later row of the key replaces it (and the column is false again).
     */
    public boolean softDeletes() {
        return softDeletes;
    }

    /**
     * Whether rows carry their change's metadata ({@code table.change-metadata}): {@link ChangeColumns#OPERATION}
     * (Debezium's {@code op}) and {@link ChangeColumns#SOURCE_TIME} (when the source database made the change).
     */
    public boolean changeMetadata() {
        return changeMetadata;
    }

    /**
     * The column that holds each record's Kafka key, a primitive (text, a number), as the keyed table's only key
     * column ({@code table.kafka-key-column}), for compacted topics whose values do not repeat their key; null when
     * the key is read from the rows' own columns.
     */
    public String kafkaKeyColumn() {
        return kafkaKeyColumn;
    }

    /**
     * Whether the table holds one row per key ({@code table.mode: upsert} or {@code dedupe}): with key columns
     * configured, or with the key taken from the table or the Kafka key ({@link #keyColumns()}).
     */
    public boolean keyed() {
        return keyed;
    }

    /**
     * Whether a graceful stop leaves the consumer group. Default false: a static member (fixed instance id) that
     * stops stays in the group, so its restart takes its partitions back without a rebalance, and the other
     * members take them over only after {@code session.timeout.ms} if it does not come back. True hands them over
     * at once, for an appliance stopped for good. Dynamic members always leave. A run that fails never leaves: it
     * rejoins at once.
     */
    public boolean leaveGroupOnStop() {
        return leaveGroupOnStop;
    }

    /**
     * Whether this is a catch-up run (as Spark's {@code Trigger.AvailableNow}): each partition's end offset is read
     * when the partition is first assigned, records up to it are ingested and committed, records beyond it are left
     * for a later run, and the pipeline stops by itself (state {@code STOPPED}) once every assigned partition has
     * been read to its end offset and the last batch is committed. Offsets and batch ids are the table's, as in an
     * ordinary run, so catch-up runs and ordinary runs on one table together ingest every record exactly once.
     * Transient failures are retried as in an ordinary run, keeping the end offsets first read. Default false.
     */
    public boolean catchUpOnly() {
        return catchUpOnly;
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

        /** See {@link PipelineSettings#maxBytesInFlight()}; 0 for the default. */
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

        /** See {@link PipelineSettings#writerPool()}. */
        public Builder writerPool(WriterPool pool) {
            this.writerPool = Objects.requireNonNull(pool, "writerPool");
            return this;
        }

        /** See {@link PipelineSettings#processByteBudget()}. */
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

        /** See {@link PipelineSettings#leaveGroupOnStop()}. */
        public Builder leaveGroupOnStop(boolean leave) {
            this.leaveGroupOnStop = leave;
            return this;
        }

        /** See {@link PipelineSettings#catchUpOnly()}. */
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

        /** See {@link PipelineSettings#versionColumn()}; null for none. */
        public Builder versionColumn(String column) {
            this.versionColumn = column;
            return this;
        }

        /** See {@link PipelineSettings#insertOnly()}. */
        public Builder insertOnly(boolean insertOnly) {
            this.insertOnly = insertOnly;
            return this;
        }

        /** See {@link PipelineSettings#softDeletes()}. */
        public Builder softDeletes(boolean softDeletes) {
            this.softDeletes = softDeletes;
            return this;
        }

        /** See {@link PipelineSettings#changeMetadata()}. */
        public Builder changeMetadata(boolean changeMetadata) {
            this.changeMetadata = changeMetadata;
            return this;
        }

        /** See {@link PipelineSettings#envelope()}. */
        public Builder envelope(Envelope envelope) {
            this.envelope = java.util.Objects.requireNonNull(envelope, "envelope");
            return this;
        }

        /** See {@link PipelineSettings#keyColumns()}; key columns make the table {@link PipelineSettings#keyed()}. */
        public Builder keyColumns(List<String> columns) {
            this.keyColumns = List.copyOf(columns);
            return this;
        }

        /**
         * See {@link PipelineSettings#kafkaKeyColumn()}: the table is keyed by this one column, which the pipeline
         * adds (a string) and fills with each record's Kafka key.
         */
        public Builder kafkaKeyColumn(String column) {
            this.kafkaKeyColumn = column;
            if (column != null) {
                this.keyColumns = List.of(column);
            }
            return this;
        }

        /**
         * See {@link PipelineSettings#keyed()}: true without {@link #keyColumns} takes the key from the table, or
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
            if (topics.isEmpty() == (topicPattern == null)) {
                throw new IllegalArgumentException("pipeline " + name + ": give either topics or a topic pattern");
            }
            if (!consumerProperties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException("pipeline " + name + ": bootstrap servers are missing");
            }
            for (String key : consumerProperties.keySet()) {
                if (MANAGED_CONSUMER_KEYS.contains(key)) {
                    throw new IllegalArgumentException("pipeline " + name + ": consumer property '" + key + "' is set "
                            + "by the engine (offsets live in the table, the engine seeks itself); remove it"
                            + (key.equals(ConsumerConfig.GROUP_ID_CONFIG) ? " and use the group id setting" : ""));
                }
            }
            if (triggerInterval == null || triggerInterval.isNegative() || triggerInterval.isZero()) {
                throw new IllegalArgumentException("pipeline " + name + ": trigger interval must be positive, got "
                        + triggerInterval);
            }
            if (maxRecords < 1) {
                throw new IllegalArgumentException("pipeline " + name + ": max records must be at least 1, got "
                        + maxRecords);
            }
            if (maxBytesInFlight < 0) {
                throw new IllegalArgumentException("pipeline " + name + ": max bytes in flight must be positive (or 0 "
                        + "for the default), got " + maxBytesInFlight);
            }
            if (maxBytes < 1) {
                throw new IllegalArgumentException("pipeline " + name + ": max bytes must be at least 1, got " + maxBytes);
            }
            if (maxRecordBytes < 1) {
                throw new IllegalArgumentException("pipeline " + name + ": max record size must be at least 1 byte, got "
                        + maxRecordBytes);
            }
            for (String column : requiredColumns) {
                if (!isColumnPath(column)) {
                    throw new IllegalArgumentException("pipeline " + name + ": required column '" + column + "' must be "
                            + "a column name, or a dotted path to a nested one (customer.email)");
                }
            }
            boolean keyedTable = keyed || !keyColumns.isEmpty();
            if ((versionColumn != null || insertOnly) && !keyedTable) {
                throw new IllegalArgumentException("pipeline " + name + ": a version column and insert-only need a "
                        + "keyed table (key columns)");
            }
            if (softDeletes && (!keyedTable || insertOnly)) {
                throw new IllegalArgumentException("pipeline " + name + ": soft deletes need an upsert table (key "
                        + "columns, not insert-only)");
            }
            if (changeMetadata && envelope != Envelope.DEBEZIUM) {
                throw new IllegalArgumentException("pipeline " + name + ": change metadata columns come from "
                        + "Debezium's change events: they need the Debezium envelope");
            }
            if (envelope == Envelope.DEBEZIUM && (!keyedTable || insertOnly)) {
                throw new IllegalArgumentException("pipeline " + name + ": a Debezium envelope needs a keyed table "
                        + "(key columns)");
            }
            for (String column : keyColumns) {
                if (!column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("pipeline " + name + ": key column '" + column + "' must be "
                            + "the name of a top-level column");
                }
            }
            if (progressHistory < 1) {
                throw new IllegalArgumentException("pipeline " + name + ": progress history must be at least 1");
            }
            return new PipelineSettings(this);
        }
    }
}
