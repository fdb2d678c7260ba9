package dev.lakehouse.app.config;

import dev.lakehouse.ingest.settings.Envelope;
import dev.lakehouse.ingest.settings.IncompatibleSchemaPolicy;
import dev.lakehouse.ingest.settings.OffsetGapPolicy;
import dev.lakehouse.ingest.settings.TopicRecreatedPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The appliance's configuration file, validated. Every key, its default and its meaning is documented in
 * {@code docs/configuration.md}; {@link ConfigLoader} is the only way to make one.
 *
 * @param pipelines the pipelines to run, at least one, with unique names
 * @param console the web console
 */
public record ApplianceConfig(List<PipelineConfig> pipelines, ConsoleConfig console) {

    public ApplianceConfig {
        pipelines = List.copyOf(pipelines);
    }

    /**
     * The web console.
     *
     * @param enabled whether {@code run} starts it
     * @param host the address to listen on; must be a loopback address when there are no users
     * @param port the port (0 for any free one)
     * @param users who may log in; none for a read-only console on localhost
     * @param sessionTimeout how long a login lasts without requests
     * @param readyMaxCommitAge how long a pipeline with lag may go without a commit before it is not ready
     * @param readyMaxFreshness when set, a pipeline with lag whose newest committed record is older than this is
     *     not ready; null for no such rule (the default: an idle topic's freshness grows without anything wrong)
     * @param readyOnObjective whether a pipeline whose table has a freshness objective is not ready while the
     *     objective is breached over its window and records are waiting past the objective's time
     */
    public record ConsoleConfig(boolean enabled, String host, int port, List<UserConfig> users,
                                Duration sessionTimeout, Duration readyMaxCommitAge, Duration readyMaxFreshness,
                                boolean readyOnObjective) {

        public ConsoleConfig {
            users = List.copyOf(users);
        }

        /** The defaults: a read-only console on 127.0.0.1:8080. */
        public static ConsoleConfig defaults() {
            return new ConsoleConfig(true, "127.0.0.1", 8080, List.of(), Duration.ofHours(8), Duration.ofMinutes(5),
                    null, false);
        }
    }

    /**
     * A console user.
     *
     * @param passwordHash made by {@code lakehouse hash-password}; the clear password is never configured
     * @param role {@code viewer} or {@code operator}
     */
    public record UserConfig(String name, String passwordHash, dev.lakehouse.console.ConsoleRole role) {

        /** Never shows the hash. */
        @Override
        public String toString() {
            return "UserConfig[" + name + ", " + role + "]";
        }
    }

    /**
     * The pipeline of that name.
     *
     * @param source the configuration file, for the error
     * A topic's pipeline of a table-per-topic pipeline is named {@code <pipeline>.<topic>}.
     *
     * @throws ConfigException naming the pipelines there are, if there is none of that name, or if the name is
     *     that of a table-per-topic pipeline (which has no table of its own)
     */
    public PipelineConfig pipeline(String name, String source) {
        for (PipelineConfig pipeline : pipelines) {
            if (pipeline.name().equals(name) && pipeline.tablePerTopic()) {
                throw new ConfigException(source, List.of("pipeline '" + name + "' writes a table per topic; name "
                        + "one topic's: " + name + ".<topic>"));
            }
            if (pipeline.name().equals(name)) {
                return pipeline;
            }
        }
        // A topic's table of a table-per-topic pipeline: <pipeline>.<topic>.
        for (PipelineConfig pipeline : pipelines) {
            String prefix = pipeline.name() + ".";
            if (pipeline.tablePerTopic() && name.startsWith(prefix) && name.length() > prefix.length()) {
                return pipeline.forTopic(name.substring(prefix.length()));
            }
        }
        throw new ConfigException(source, List.of("no pipeline named '" + name + "'; the file has "
                + pipelines.stream().map(p -> p.tablePerTopic() ? p.name() + " (a table per topic: "
                        + p.name() + ".<topic>)" : p.name()).toList()));
    }

    /** When a table's writer lease is taken. */
    public enum WriterLeaseMode {
        /** On object stores (s3a, gs, abfs, ...), where two writers lose commits; not on file systems. */
        AUTO,
        /** Always. */
        ALWAYS,
        /** Never: the operator guarantees a single writer. */
        NEVER
    }

    /** How concurrent commits to an object-store table are kept apart ({@code table.commit-coordination}). */
    public enum CommitCoordinationMode {
        /** Conditional puts when the store honours them (probed at start-up), else the single-writer lease. */
        AUTO,
        /** Conditional puts: several appliances may write the table; start-up is refused if the store lacks them. */
        CONDITIONAL_PUT,
        /** The single-writer lease: one appliance writes the table. */
        LEASE
    }

    /** How record values are encoded. */
    public enum Format {
        /** Avro in the Confluent wire format, schemas from the registry. */
        AVRO,
        /** JSON objects, decoded with a configured Avro schema. */
        JSON,
        /** JSON in the Confluent wire format, validated against and mapped from JSON schemas in the registry. */
        JSON_SCHEMA,
        /** Protobuf in the Confluent wire format, decoded with .proto schemas from the registry. */
        PROTOBUF
    }

    /**
     * One pipeline.
     *
     * @param name stable name, part of the table's transaction ids
     * @param instanceId fixed instance id, or null for a random one per run
     * @param source where records come from
     * @param format how values are encoded
     * @param registry the schema registry (Avro), or null
     * @param valueSchemaFile the Avro schema file of JSON values, or null
     * @param table where rows go
     * @param trigger when batches close
     * @param onIncompatibleSchema what records of a writer schema the table cannot take do
     * @param deadLetters where records that cannot be rows go
     * @param compaction the table's background maintenance
     */
    public record PipelineConfig(String name, String instanceId, SourceConfig source, Format format,
                                 RegistryConfig registry, String valueSchemaFile, TableConfig table,
                                 TriggerConfig trigger, IncompatibleSchemaPolicy onIncompatibleSchema,
                                 DeadLetterConfig deadLetters, CompactionConfig compaction) {

        /** Stands for a topic's name in {@code table.location}, {@code dead-letters.table} and {@code .topic}. */
        public static final String TOPIC_PLACEHOLDER = "{topic}";

        /**
         * Whether this pipeline writes each topic into its own table: its table location contains
         * {@link #TOPIC_PLACEHOLDER}. It is then a template, run as one pipeline per topic ({@link #forTopic}).
         */
        public boolean tablePerTopic() {
            return table.location() != null && table.location().contains(TOPIC_PLACEHOLDER);
        }

        /**
         * The pipeline of one topic of a table-per-topic template: named {@code <name>.<topic>}, reading that topic
         * only, into the template's locations with the topic's name for {@link #TOPIC_PLACEHOLDER}. It stays in
         * the template's consumer group ({@code source.group-id}, default {@code lakehouse-<name>}); its static
         * member id is its own ({@code <name>.<topic>-<instance-id>}, or a configured {@code group.instance.id}
         * followed by {@code -<topic>}), so the topics' consumers of one appliance never fence each other.
         */
        public PipelineConfig forTopic(String topic) {
            String groupId = source.groupId() != null ? source.groupId() : "lakehouse-" + name;
            java.util.Map<String, String> consumerProperties = new java.util.HashMap<>(source.consumerProperties());
            consumerProperties.computeIfPresent("group.instance.id", (key, id) -> id + "-" + topic);
            SourceConfig topicSource = new SourceConfig(source.bootstrapServers(), List.of(topic), null, groupId,
                    source.startingPosition(), consumerProperties, source.onOffsetGap(), source.maxRecordSize(),
                    source.leaveGroupOnStop(), source.onTopicRecreated(), source.topicDiscoveryInterval(),
                    source.envelope());
            TableConfig topicTable = new TableConfig(forTopic(table.location(), topic), table.partitionBy(),
                    table.properties(), table.targetFileSize(), table.codec(), table.hadoop(), table.requiredColumns(),
                    table.writerLease(), table.writerLeaseTtl(), table.kafkaMetadata(), table.commitCoordination(),
                    table.mode(), table.key(), table.versionColumn(), table.softDeletes(), table.changeMetadata(),
                    table.kafkaKeyColumn(), table.freshnessObjective(), table.freshnessEventTime(),
                    table.dedupeHorizon());
            DeadLetterConfig topicDeadLetters = new DeadLetterConfig(forTopic(deadLetters.tableLocation(), topic),
                    forTopic(deadLetters.topic(), topic), deadLetters.producerProperties());
            return new PipelineConfig(name + "." + topic, instanceId, topicSource, format, registry, valueSchemaFile,
                    topicTable, trigger, onIncompatibleSchema, topicDeadLetters, compaction);
        }

        private static String forTopic(String text, String topic) {
            return text == null ? null : text.replace(TOPIC_PLACEHOLDER, topic);
        }
    }

    /**
     * @param enabled whether the appliance compacts and vacuums the table on a schedule
     * @param interval how often to compact, or null when {@code cron} is set
     * @param cron a Quartz cron expression, or null when {@code interval} is set
     * @param smallFileSize files below this size are compacted
     * @param minInputFiles fewer small files than this in a partition are left alone
     * @param vacuumInterval how often to vacuum, or null for never
     * @param vacuumRetention how long removed and unreferenced files are kept
     * @param sortBy columns each compaction's output is sorted by (data skipping); empty for none
     * @param sortByTableKey whether the output is sorted by the key the table recorded instead: a keyed table
     *        keyed by its Kafka key (no {@code table.key}) and no {@code sort-by} given
     */
    public record CompactionConfig(boolean enabled, Duration interval, String cron, long smallFileSize,
                                   int minInputFiles, Duration vacuumInterval, Duration vacuumRetention,
                                   List<String> sortBy, boolean sortByTableKey) {
        public CompactionConfig {
            sortBy = List.copyOf(sortBy);
        }
    }

    /**
     * @param tableLocation the dead-letter table's URI, or null for none
     * @param topic the dead-letter topic, or null for none
     */
    public record DeadLetterConfig(String tableLocation, String topic, Map<String, String> producerProperties) {
        public DeadLetterConfig {
            producerProperties = Map.copyOf(producerProperties);
        }

        /** Whether records that cannot be rows have somewhere to go. */
        public boolean any() {
            return tableLocation != null || topic != null;
        }
    }

    /**
     * @param bootstrapServers Kafka bootstrap servers
     * @param topics topics to read, or empty with a pattern
     * @param topicPattern a regular expression of topics, or null
     * @param groupId the consumer group, or null for {@code lakehouse-<pipeline>}
     * @param startingPosition earliest, latest or an ISO-8601 instant
     * @param consumerProperties Kafka consumer properties passed through (security, tuning)
     * @param onOffsetGap what happens when the table's next offset is gone from Kafka
     * @param leaveGroupOnStop whether a graceful stop leaves the consumer group (hands the partitions to the other
     *        members at once) rather than staying a static member that a restart rejoins without a rebalance
     * @param maxRecordSize key plus value bytes above which a record is a dead letter
     * @param onTopicRecreated what happens when a topic the table has offsets for was deleted and created again
     * @param topicDiscoveryInterval with a table per topic and a pattern: how often the cluster's topics are
     *        listed to find new matching ones
     */
    public record SourceConfig(String bootstrapServers, List<String> topics, String topicPattern, String groupId,
                               String startingPosition, Map<String, String> consumerProperties,
                               OffsetGapPolicy onOffsetGap, long maxRecordSize, boolean leaveGroupOnStop,
                               TopicRecreatedPolicy onTopicRecreated,
                               Duration topicDiscoveryInterval, Envelope envelope) {
        public SourceConfig {
            topics = List.copyOf(topics);
            consumerProperties = Map.copyOf(consumerProperties);
        }
    }

    /**
     * @param urls registry URLs, tried in order
     * @param userInfo basic auth {@code user:password}, or null
     * @param trustStore a PKCS12 or JKS trust store for TLS, or null
     * @param trustStorePassword its password, or null
     * @param timeout connect and read timeout
     */
    public record RegistryConfig(List<String> urls, String userInfo, String trustStore, String trustStorePassword,
                                 Duration timeout) {
        public RegistryConfig {
            urls = List.copyOf(urls);
        }
    }

    /**
     * How a table takes records: {@code append} every record; {@code upsert} one row per key, the newest replacing
     * it; {@code dedupe} one row per key, the first kept (later copies of a key are skipped).
     */
    public enum TableMode {
        APPEND, UPSERT, DEDUPE
    }

    /**
     * A pipeline's table: where it is, how it is laid out and written, and how its freshness is judged.
     *
     * @param location table URI ({@code file:///…}, {@code s3a://bucket/…})
     * @param partitionBy partition columns: {@code field} or {@code day(field) as column}
     * @param properties Delta table properties set at creation
     * @param targetFileSize bytes at which data files roll
     * @param codec Parquet codec
     * @param hadoop Hadoop file system properties (for example {@code fs.s3a.endpoint})
     * @param requiredColumns columns a row must have non-null (dotted paths for nested ones)
     * @param writerLease whether the appliance takes the table's single-writer lease before writing
     * @param writerLeaseTtl how long a lease lasts without renewal (a crashed writer's lease expires after this)
     * @param kafkaMetadata whether rows carry their Kafka record in a {@code _kafka} struct column
     * @param commitCoordination how concurrent commits are kept apart on an object store
     * @param softDeletes whether a deleted key's row stays with {@code _deleted = true} (upsert tables)
     * @param changeMetadata whether rows carry their change's {@code _op} and {@code _source_ts} (Debezium)
     * @param kafkaKeyColumn the column a keyed table adds for each record's (primitive) Kafka key, its key; or null
     * @param freshnessObjective the table's freshness objective, or null
     * @param freshnessEventTime the timestamp column records are judged by for freshness, or null for their Kafka
     *     timestamp
     * @param dedupeHorizon how far back a dedupe table looks for a copy of a row, on which time column; or null for
     *     the whole table
     */
    public record TableConfig(String location, List<String> partitionBy, Map<String, String> properties,
                              long targetFileSize, String codec, Map<String, String> hadoop,
                              List<String> requiredColumns, WriterLeaseMode writerLease, Duration writerLeaseTtl,
                              boolean kafkaMetadata, CommitCoordinationMode commitCoordination, TableMode mode,
                              List<String> key, String versionColumn, boolean softDeletes, boolean changeMetadata,
                              String kafkaKeyColumn, dev.lakehouse.ingest.status.FreshnessObjective freshnessObjective,
                              String freshnessEventTime, dev.lakehouse.table.DedupeHorizon dedupeHorizon) {

        /** Whether the table gets a lease. */
        public boolean leased() {
            return writerLease == WriterLeaseMode.ALWAYS
                    || writerLease == WriterLeaseMode.AUTO && dev.lakehouse.table.storage.WriterLease.needed(location);
        }
        public TableConfig {
            partitionBy = List.copyOf(partitionBy);
            requiredColumns = List.copyOf(requiredColumns);
            key = List.copyOf(key);
            properties = Map.copyOf(properties);
            hadoop = Map.copyOf(hadoop);
        }
    }

    /**
     * @param interval how long a batch stays open after its first record
     * @param maxRecords records at which a batch closes
     * @param maxBytes serialized bytes at which a batch closes
     */
    /** @param maxBytesInFlight read bytes held between Kafka and the table at most; 0 for the default */
    public record TriggerConfig(Duration interval, long maxRecords, long maxBytes, long maxBytesInFlight) {
    }
}
