package dev.lakehouse.app.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lakehouse.app.config.ApplianceConfig.CompactionConfig;
import dev.lakehouse.app.config.ApplianceConfig.ConsoleConfig;
import dev.lakehouse.app.config.ApplianceConfig.DeadLetterConfig;
import dev.lakehouse.app.config.ApplianceConfig.Format;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ApplianceConfig.RegistryConfig;
import dev.lakehouse.app.config.ApplianceConfig.SourceConfig;
import dev.lakehouse.app.config.ApplianceConfig.TableConfig;
import dev.lakehouse.app.config.ApplianceConfig.TriggerConfig;
import dev.lakehouse.app.config.ApplianceConfig.UserConfig;
import dev.lakehouse.console.ConsoleRole;
import dev.lakehouse.console.ConsoleSettings;
import dev.lakehouse.console.PasswordHash;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.settings.Envelope;
import dev.lakehouse.ingest.settings.IncompatibleSchemaPolicy;
import dev.lakehouse.ingest.settings.OffsetGapPolicy;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.SourceSettings;
import dev.lakehouse.ingest.settings.StartingPosition;
import dev.lakehouse.ingest.settings.TopicRecreatedPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and validates the YAML configuration. Unknown keys and bad values are errors, all reported together in
 * one {@link ConfigException} naming each key path; nothing starts with a configuration that has any.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * @throws ConfigException if the file cannot be read or is invalid
     */
    public static ApplianceConfig load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e));
        }
        return parse(yaml, file.toString(), file.toAbsolutePath().getParent(), System.getenv());
    }

    /**
     * @param baseDir the directory relative paths (table locations, schema files) are resolved against
     * @throws ConfigException if the text is invalid
     */
    public static ApplianceConfig parse(String yaml, String source, Path baseDir) {
        return parse(yaml, source, baseDir, Map.of());
    }

    /**
     * As {@link #parse(String, String, Path)}, with {@code ${NAME}} placeholders and {@code LAKEHOUSE__…} overrides
     * taken from {@code env} (see {@link EnvironmentOverrides}).
     */
    public static ApplianceConfig parse(String yaml, String source, Path baseDir, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(EnvironmentOverrides.substitute(yaml, env, problems));
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : "")));
        }
        root = EnvironmentOverrides.apply(root, env, problems);
        ConfigNode top = new ConfigNode("", root, problems);
        List<PipelineConfig> pipelines = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> pipelineNodes = top.children("pipelines");
        if (pipelineNodes.isEmpty()) {
            problems.add("pipelines: at least one pipeline is required");
        }
        for (ConfigNode node : pipelineNodes) {
            PipelineConfig pipeline = pipeline(node, baseDir, problems);
            if (pipeline.name() != null && !names.add(pipeline.name())) {
                problems.add(node.pathOf("name") + ": '" + pipeline.name() + "' is used by another pipeline");
            }
            pipelines.add(pipeline);
        }
        ConsoleConfig console = console(top.child("console"));
        top.finish();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new ApplianceConfig(pipelines, console);
    }

    private static ConsoleConfig console(ConfigNode node) {
        ConsoleConfig defaults = ConsoleConfig.defaults();
        boolean enabled = node.bool("enabled", defaults.enabled());
        String host = node.string("host").orElse(defaults.host());
        int port = defaults.port();
        String portText = node.string("port").orElse(null);
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                node.problem("port", "'" + portText + "' is not a port: give 1..65535, or 0 for any free port");
                port = defaults.port();
            }
        }
        List<UserConfig> users = new ArrayList<>();
        Set<String> userNames = new HashSet<>();
        for (ConfigNode user : node.children("users")) {
            String name = user.requiredString("name", "the login name");
            String hash = user.requiredString("password-hash",
                    "the output of `lakehouse hash-password` (never the password itself)");
            if (hash != null && !PasswordHash.isHash(hash)) {
                user.problem("password-hash", "is not a hash made by `lakehouse hash-password` (expected "
                        + PasswordHash.FORMAT + "); never put the password itself here");
            }
            ConsoleRole role = user.choice("role", ConsoleRole.class, ConsoleRole.VIEWER);
            if (name != null && !userNames.add(name)) {
                user.problem("name", "'" + name + "' is used by another user");
            }
            user.finish();
            users.add(new UserConfig(name, hash, role));
        }
        if (enabled && users.isEmpty() && !ConsoleSettings.isLoopbackHost(host)) {
            node.problem("host", "is " + host + " but console.users is empty: without users the console is read-only"
                    + " and listens on localhost only. Add users (see `lakehouse hash-password`) or use 127.0.0.1");
        }
        Duration sessionTimeout = node.duration("session-timeout", defaults.sessionTimeout());
        Duration readyMaxCommitAge = node.duration("ready-max-commit-age", defaults.readyMaxCommitAge());
        Duration readyMaxFreshness = node.duration("ready-max-freshness", defaults.readyMaxFreshness());
        boolean readyOnObjective = node.bool("ready-on-objective", defaults.readyOnObjective());
        node.finish();
        return new ConsoleConfig(enabled, host, port, users, sessionTimeout, readyMaxCommitAge, readyMaxFreshness,
                readyOnObjective);
    }

    private static PipelineConfig pipeline(ConfigNode node, Path baseDir, List<String> problems) {
        String name = node.requiredString("name", "a stable name such as 'orders'");
        if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
            node.problem("name", "'" + name + "' must be letters, digits, '_', '.' or '-'");
        }
        String instanceId = node.string("instance-id").orElse(null);
        SourceConfig source = source(node.child("source"));
        Format format = node.choice("format", Format.class, Format.AVRO);
        RegistryConfig registry = null;
        if (node.has("registry")) {
            registry = registry(node.child("registry"));
        } else if (format != Format.JSON) {
            node.problem("registry", "is required for format " + format.name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-') + ": give at least registry.url");
        }
        String valueSchemaFile = node.string("value-schema-file").map(f -> TableSection.resolve(baseDir, f).toString()).orElse(null);
        // Without value-schema-file, JSON values must carry Kafka Connect's schema (checked per record).
        if (valueSchemaFile != null && !Files.isReadable(Path.of(valueSchemaFile))) {
            node.problem("value-schema-file", "cannot read " + valueSchemaFile);
        }
        TableConfig table = TableSection.read(node.child("table"), baseDir);
        if (source.envelope() == Envelope.DEBEZIUM) {
            if (format != Format.JSON && format != Format.AVRO) {
                node.problem("source.envelope", "is debezium, which is read as Kafka Connect's JSON converter or an "
                        + "Avro converter writes it: set format: json or avro");
            }
            if (table.mode() != ApplianceConfig.TableMode.UPSERT) {
                node.problem("source.envelope", "is debezium, whose changes need an upsert table: set table.mode: "
                        + "upsert (keyed by the event's Kafka key, the primary key, unless table.key says otherwise)");
            }
        }
        if (table.changeMetadata() && source.envelope() != Envelope.DEBEZIUM) {
            node.problem("table.change-metadata", "is true, but its columns (_op, _source_ts, _source_lsn) come from Debezium's "
                    + "change events: set source.envelope: debezium, or turn it off");
        }
        TriggerConfig trigger = trigger(node.child("trigger"));
        IncompatibleSchemaPolicy onIncompatible = node.choice("on-incompatible-schema", IncompatibleSchemaPolicy.class,
                IncompatibleSchemaPolicy.DEAD_LETTER);
        DeadLetterConfig deadLetters = deadLetters(node.child("dead-letters"), table.location(), baseDir);
        if (onIncompatible == IncompatibleSchemaPolicy.DEAD_LETTER && !deadLetters.any()) {
            node.problem("on-incompatible-schema", "is dead-letter but dead-letters has neither a table nor a topic; "
                    + "configure one, or set on-incompatible-schema: fail");
        }
        // A keyed table is clustered by its key unless told otherwise: a batch's keys then touch few files.
        List<String> configuredKey = table.kafkaKeyColumn() != null ? List.of(table.kafkaKeyColumn()) : table.key();
        CompactionConfig compaction = compaction(node.child("compaction"), table.targetFileSize(), configuredKey,
                table.mode() != ApplianceConfig.TableMode.APPEND && configuredKey.isEmpty());
        checkTopicPlaceholders(node, table, deadLetters);
        node.finish();
        return new PipelineConfig(name, instanceId, source, format, registry, valueSchemaFile, table, trigger,
                onIncompatible, deadLetters, compaction);
    }

    /**
     * A table per topic ({@code {topic}} in {@code table.location}) needs a dead-letter table per topic as well
     * (two tables' pipelines must never commit to one dead-letter table); {@code {topic}} anywhere else without
     * one in the table location has nothing to stand for.
     */
    private static void checkTopicPlaceholders(ConfigNode node, TableConfig table, DeadLetterConfig deadLetters) {
        String placeholder = PipelineConfig.TOPIC_PLACEHOLDER;
        boolean perTopic = table.location() != null && table.location().contains(placeholder);
        if (perTopic && deadLetters.tableLocation() != null && !deadLetters.tableLocation().contains(placeholder)) {
            node.problem("dead-letters.table", "must contain " + placeholder + " like table.location does: each "
                    + "topic's table has its own dead-letter table (or use default, or none)");
        }
        if (!perTopic && deadLetters.tableLocation() != null && deadLetters.tableLocation().contains(placeholder)) {
            node.problem("dead-letters.table", "contains " + placeholder + " but table.location does not; "
                    + placeholder + " makes a table per topic only when table.location has it");
        }
        if (!perTopic && deadLetters.topic() != null && deadLetters.topic().contains(placeholder)) {
            node.problem("dead-letters.topic", "contains " + placeholder + " but table.location does not");
        }
    }

    private static CompactionConfig compaction(ConfigNode node, long targetFileSize, List<String> defaultSortBy,
                                               boolean keyedByTheTable) {
        boolean enabled = node.bool("enabled", true);
        String cron = node.string("cron").orElse(null);
        Duration interval = null;
        if (cron != null) {
            if (node.has("schedule")) {
                node.problem("schedule", "give either schedule (an interval) or cron, not both");
            }
            if (!org.quartz.CronExpression.isValidExpression(cron)) {
                node.problem("cron", "'" + cron + "' is not a Quartz cron expression (seconds minutes hours "
                        + "day-of-month month day-of-week, such as '0 */10 * * * ?')");
            }
        } else {
            interval = node.duration("schedule", Duration.ofMinutes(10));
        }
        long smallFileSize = node.bytes("small-file-size", Math.max(1, targetFileSize * 3 / 4));
        if (smallFileSize > targetFileSize) {
            node.problem("small-file-size", "must not exceed table.target-file-size (" + targetFileSize + " bytes)");
        }
        long minInputFiles = node.positiveLong("min-input-files", 5);
        boolean sortByTableKey = keyedByTheTable && !node.has("sort-by");
        List<String> sortBy = node.has("sort-by") ? node.stringList("sort-by") : defaultSortBy;
        for (String column : sortBy) {
            if (!PipelineSettings.isColumnPath(column)) {
                node.problem("sort-by", "'" + column + "' is not a column name or a dotted path to a nested column");
            }
        }
        if (minInputFiles < 2) {
            node.problem("min-input-files", "must be at least 2");
        }
        Duration vacuumInterval = node.string("vacuum-schedule").filter(v -> v.equalsIgnoreCase("never")).isPresent()
                ? null : node.duration("vacuum-schedule", Duration.ofDays(1));
        Duration retention = node.duration("vacuum-retention", Duration.ofDays(7));
        if (retention.compareTo(Duration.ofDays(7)) < 0) {
            node.problem("vacuum-retention", "must be at least 7d: shorter breaks time travel and can delete files "
                    + "of running writers (lakehouse vacuum --force allows it for one manual run)");
        }
        node.finish();
        return new CompactionConfig(enabled, interval, cron, smallFileSize, (int) minInputFiles, vacuumInterval,
                retention, sortBy, sortByTableKey);
    }

    /** {@code table}: a location, {@code none}, or absent for the default beside the main table. */
    private static DeadLetterConfig deadLetters(ConfigNode node, String mainLocation, Path baseDir) {
        String table = node.string("table").orElse("default");
        String location;
        if (table.equalsIgnoreCase("none")) {
            location = null;
        } else if (table.equalsIgnoreCase("default")) {
            location = mainLocation == null ? null : DeadLetterTable.defaultLocation(mainLocation);
        } else {
            location = TableSection.normalizeLocation(node, "table", table, baseDir);
        }
        String topic = node.string("topic").orElse(null);
        if (topic != null && !topic.replace(PipelineConfig.TOPIC_PLACEHOLDER, "t").matches("[A-Za-z0-9._-]{1,249}")) {
            node.problem("topic", "'" + topic + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-')");
        }
        Map<String, String> producer = node.stringMap("producer-properties");
        if (topic == null && !producer.isEmpty()) {
            node.problem("producer-properties", "is set but dead-letters.topic is not: there is no dead-letter "
                    + "producer; set a topic or remove the properties");
        }
        for (String managed : List.of("key.serializer", "value.serializer", "enable.idempotence", "acks",
                "bootstrap.servers")) {
            if (producer.containsKey(managed)) {
                node.problem("producer-properties." + managed, "is set by the appliance (letters are sent "
                        + "idempotently with acks=all to the source cluster); remove it");
            }
        }
        node.finish();
        return new DeadLetterConfig(location, topic, producer);
    }

    private static SourceConfig source(ConfigNode node) {
        String servers = node.requiredString("bootstrap-servers", "the Kafka brokers, such as localhost:9092");
        List<String> topics = node.stringList("topics");
        String pattern = node.string("topic-pattern").orElse(null);
        if (topics.isEmpty() == (pattern == null)) {
            node.problem("topics", "give either topics (a list) or topic-pattern (a regular expression)");
        }
        if (pattern != null) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                node.problem("topic-pattern", "is not a regular expression: " + e.getDescription());
            }
        }
        String groupId = node.string("group-id").orElse(null);
        String starting = node.parsed("starting-position", "earliest", "earliest, latest or an ISO-8601 instant",
                text -> StartingPosition.parse(text).toString());
        var consumerProperties = node.stringMap("consumer-properties");
        for (String managed : new java.util.TreeSet<>(SourceSettings.MANAGED_CONSUMER_KEYS)) {
            if (consumerProperties.containsKey(managed)) {
                node.problem("consumer-properties." + managed, "is managed by the appliance (offsets live in the table)"
                        + (managed.equals("group.id") ? "; use source.group-id" : "; remove it"));
            }
        }
        OffsetGapPolicy onOffsetGap = node.choice("on-offset-gap", OffsetGapPolicy.class, OffsetGapPolicy.FAIL);
        long maxRecordSize = node.bytes("max-record-size", 16L * 1024 * 1024);
        boolean leaveGroupOnStop = node.bool("leave-group-on-stop", false);
        TopicRecreatedPolicy onTopicRecreated = node.choice("on-topic-recreated",
                TopicRecreatedPolicy.class, TopicRecreatedPolicy.FAIL);
        Duration topicDiscoveryInterval = node.duration("topic-discovery-interval", Duration.ofSeconds(30));
        if (topicDiscoveryInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            node.problem("topic-discovery-interval", "must be at least 1s");
        }
        Envelope envelope = node.choice("envelope", Envelope.class,
                Envelope.NONE);
        node.finish();
        return new SourceConfig(servers, topics, pattern, groupId, starting, consumerProperties, onOffsetGap,
                maxRecordSize, leaveGroupOnStop, onTopicRecreated, topicDiscoveryInterval, envelope);
    }

    private static RegistryConfig registry(ConfigNode node) {
        List<String> urls = node.stringList("url");
        if (urls.isEmpty()) {
            node.problem("url", "is required: the registry's URL, such as http://localhost:8081 (comma-separated for several)");
        }
        for (String url : urls) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                node.problem("url", "'" + url + "' must start with http:// or https://");
            }
        }
        String userInfo = node.string("user-info").orElse(null);
        if (userInfo != null && !userInfo.contains(":")) {
            node.problem("user-info", "must be user:password");
        }
        String trustStore = node.string("trust-store").orElse(null);
        String trustStorePassword = node.string("trust-store-password").orElse(null);
        Duration timeout = node.duration("timeout", Duration.ofSeconds(10));
        node.finish();
        return new RegistryConfig(urls, userInfo, trustStore, trustStorePassword, timeout);
    }

    private static TriggerConfig trigger(ConfigNode node) {
        Duration interval = node.duration("interval", Duration.ofSeconds(30));
        long maxRecords = node.positiveLong("max-records", 1_000_000);
        long maxBytes = node.bytes("max-bytes", 256L * 1024 * 1024);
        // "auto" (the default): an eighth of the heap, see BatchLimits.maxBytesInFlight.
        long inFlight = 0;
        java.util.Optional<String> inFlightText = node.string("max-bytes-in-flight");
        if (inFlightText.isPresent() && !inFlightText.get().equalsIgnoreCase("auto")) {
            inFlight = node.bytes("max-bytes-in-flight", 1);
        }
        node.finish();
        return new TriggerConfig(interval, maxRecords, maxBytes, inFlight);
    }
}
