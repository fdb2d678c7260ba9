package dev.lakehouse.ingest.settings;

import dev.lakehouse.common.Sleeper;
import dev.lakehouse.ingest.resources.ProcessByteBudget;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.source.ConsumerFactory;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.status.FreshnessObjective;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Builds {@link PipelineSettings}; {@link #build()} validates and names the offending setting. Start with
 * {@link PipelineSettings#builder(String)}.
 */
public final class PipelineSettingsBuilder {

    // Package-private: PipelineSettings takes the checked values from here.
    final String name;
    String instanceId;
    List<String> topics = List.of();
    Pattern topicPattern;
    String groupId;
    final Map<String, Object> consumerProperties = new LinkedHashMap<>();
    StartingPosition startingPosition = StartingPosition.earliest();
    Duration triggerInterval = Duration.ofSeconds(30);
    FreshnessObjective freshnessObjective;
    String freshnessEventTime;
    long maxRecords = 1_000_000;
    long maxBytes = 256L * 1024 * 1024;
    long maxBytesInFlight;
    int progressHistory = 100;
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.system();
    ConsumerFactory consumerFactory = ConsumerFactory.kafka();
    ProcessByteBudget processByteBudget = ProcessByteBudget.shared();
    WriterPool writerPool = WriterPool.shared();
    IncompatibleSchemaPolicy onIncompatibleSchema = IncompatibleSchemaPolicy.DEAD_LETTER;
    OffsetGapPolicy onOffsetGap = OffsetGapPolicy.FAIL;
    TopicRecreatedPolicy onTopicRecreated = TopicRecreatedPolicy.FAIL;
    TopicIdLookup topicIds;
    long maxRecordBytes = 16L * 1024 * 1024;
    List<String> requiredColumns = List.of();
    List<String> keyColumns = List.of();
    boolean keyed;
    String kafkaKeyColumn;
    String versionColumn;
    boolean insertOnly;
    dev.lakehouse.table.DedupeHorizon dedupeHorizon;
    boolean softDeletes;
    boolean changeMetadata;
    Envelope envelope = Envelope.NONE;
    boolean leaveGroupOnStop;
    boolean catchUpOnly;
    boolean kafkaMetadata;

    PipelineSettingsBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public PipelineSettingsBuilder instanceId(String id) {
        this.instanceId = id;
        return this;
    }

    public PipelineSettingsBuilder topics(List<String> topics) {
        this.topics = List.copyOf(topics);
        return this;
    }

    public PipelineSettingsBuilder topicPattern(Pattern pattern) {
        this.topicPattern = pattern;
        return this;
    }

    public PipelineSettingsBuilder groupId(String groupId) {
        this.groupId = groupId;
        return this;
    }

    public PipelineSettingsBuilder bootstrapServers(String servers) {
        return consumerProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    }

    /** Passes a Kafka consumer property through (security, tuning). */
    public PipelineSettingsBuilder consumerProperty(String key, Object value) {
        consumerProperties.put(key, value);
        return this;
    }

    public PipelineSettingsBuilder startingPosition(StartingPosition position) {
        this.startingPosition = Objects.requireNonNull(position, "startingPosition");
        return this;
    }

    /** See {@link PipelineSettings#freshnessObjective()}; null for none. */
    public PipelineSettingsBuilder freshnessObjective(FreshnessObjective objective) {
        this.freshnessObjective = objective;
        return this;
    }

    /** See {@link PipelineSettings#freshnessEventTime()}; null for the Kafka timestamp. */
    public PipelineSettingsBuilder freshnessEventTime(String column) {
        this.freshnessEventTime = column;
        return this;
    }

    public PipelineSettingsBuilder triggerInterval(Duration interval) {
        this.triggerInterval = interval;
        return this;
    }

    public PipelineSettingsBuilder maxRecords(long records) {
        this.maxRecords = records;
        return this;
    }

    /** See {@link BatchLimits#maxBytesInFlight()}; 0 for the default. */
    public PipelineSettingsBuilder maxBytesInFlight(long bytes) {
        this.maxBytesInFlight = bytes;
        return this;
    }

    public PipelineSettingsBuilder maxBytes(long bytes) {
        this.maxBytes = bytes;
        return this;
    }

    public PipelineSettingsBuilder progressHistory(int batches) {
        this.progressHistory = batches;
        return this;
    }

    public PipelineSettingsBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public PipelineSettingsBuilder sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /** See {@link PipelineServices#writerPool()}. */
    public PipelineSettingsBuilder writerPool(WriterPool pool) {
        this.writerPool = Objects.requireNonNull(pool, "writerPool");
        return this;
    }

    /** See {@link PipelineServices#processByteBudget()}. */
    public PipelineSettingsBuilder processByteBudget(ProcessByteBudget budget) {
        this.processByteBudget = Objects.requireNonNull(budget, "processByteBudget");
        return this;
    }

    public PipelineSettingsBuilder consumerFactory(ConsumerFactory factory) {
        this.consumerFactory = Objects.requireNonNull(factory, "consumerFactory");
        return this;
    }

    public PipelineSettingsBuilder onIncompatibleSchema(IncompatibleSchemaPolicy policy) {
        this.onIncompatibleSchema = Objects.requireNonNull(policy, "onIncompatibleSchema");
        return this;
    }

    public PipelineSettingsBuilder onTopicRecreated(TopicRecreatedPolicy policy) {
        this.onTopicRecreated = Objects.requireNonNull(policy, "onTopicRecreated");
        return this;
    }

    public PipelineSettingsBuilder topicIds(TopicIdLookup lookup) {
        this.topicIds = Objects.requireNonNull(lookup, "topicIds");
        return this;
    }

    public PipelineSettingsBuilder onOffsetGap(OffsetGapPolicy policy) {
        this.onOffsetGap = Objects.requireNonNull(policy, "onOffsetGap");
        return this;
    }

    public PipelineSettingsBuilder maxRecordBytes(long bytes) {
        this.maxRecordBytes = bytes;
        return this;
    }

    /** See {@link SourceSettings#leaveGroupOnStop()}. */
    public PipelineSettingsBuilder leaveGroupOnStop(boolean leave) {
        this.leaveGroupOnStop = leave;
        return this;
    }

    /** See {@link SourceSettings#catchUpOnly()}. */
    public PipelineSettingsBuilder catchUpOnly(boolean catchUpOnly) {
        this.catchUpOnly = catchUpOnly;
        return this;
    }

    /** See {@link PipelineSettings#kafkaMetadata()}. */
    public PipelineSettingsBuilder kafkaMetadata(boolean kafkaMetadata) {
        this.kafkaMetadata = kafkaMetadata;
        return this;
    }

    public PipelineSettingsBuilder requiredColumns(List<String> columns) {
        this.requiredColumns = List.copyOf(columns);
        return this;
    }

    /** See {@link KeyedTableSettings#versionColumn()}; null for none. */
    public PipelineSettingsBuilder versionColumn(String column) {
        this.versionColumn = column;
        return this;
    }

    /** See {@link KeyedTableSettings#insertOnly()}. */
    public PipelineSettingsBuilder insertOnly(boolean insertOnly) {
        this.insertOnly = insertOnly;
        return this;
    }

    /** See {@link KeyedTableSettings#dedupeHorizon()}; null for none. */
    public PipelineSettingsBuilder dedupeHorizon(dev.lakehouse.table.DedupeHorizon horizon) {
        this.dedupeHorizon = horizon;
        return this;
    }

    /** See {@link KeyedTableSettings#softDeletes()}. */
    public PipelineSettingsBuilder softDeletes(boolean softDeletes) {
        this.softDeletes = softDeletes;
        return this;
    }

    /** See {@link KeyedTableSettings#changeMetadata()}. */
    public PipelineSettingsBuilder changeMetadata(boolean changeMetadata) {
        this.changeMetadata = changeMetadata;
        return this;
    }

    /** See {@link KeyedTableSettings#envelope()}. */
    public PipelineSettingsBuilder envelope(Envelope envelope) {
        this.envelope = java.util.Objects.requireNonNull(envelope, "envelope");
        return this;
    }

    /** See {@link KeyedTableSettings#columns()}; key columns make the table {@link KeyedTableSettings#keyed()}. */
    public PipelineSettingsBuilder keyColumns(List<String> columns) {
        this.keyColumns = List.copyOf(columns);
        return this;
    }

    /**
     * See {@link KeyedTableSettings#kafkaKeyColumn()}: the table is keyed by this one column, which the pipeline
     * adds (a string) and fills with each record's Kafka key.
     */
    public PipelineSettingsBuilder kafkaKeyColumn(String column) {
        this.kafkaKeyColumn = column;
        return this;
    }

    /**
     * See {@link KeyedTableSettings#keyed()}: true without {@link #keyColumns} takes the key from the table, or
     * from the Kafka key of the record that creates it.
     */
    public PipelineSettingsBuilder keyed(boolean keyed) {
        this.keyed = keyed;
        return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    public PipelineSettings build() {
        if (!PipelineSettings.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("pipeline name '" + name + "' must be 1-100 letters, digits, '_', "
                    + "'.' or '-', starting with a letter or digit (it is part of the table's transaction ids)");
        }
        if (instanceId != null && !PipelineSettings.NAME.matcher(instanceId).matches()) {
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
            if (!PipelineSettings.isColumnPath(column)) {
                throw new IllegalArgumentException("pipeline " + name + ": required column '" + column + "' must be "
                        + "a column name, or a dotted path to a nested one (customer.email)");
            }
        }
        KeyedTableSettings keys = named(() -> new KeyedTableSettings(keyColumns, keyed, kafkaKeyColumn,
                versionColumn, insertOnly, softDeletes, changeMetadata, envelope, dedupeHorizon));
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
