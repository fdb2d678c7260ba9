package dev.lakehouse.app.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The configuration as the appliance will use it (defaults filled in), as YAML, with every secret masked: safe to
 * print and to log.
 */
public final class EffectiveConfig {

    /** Keys whose values are secrets, in the appliance's own keys and in passed-through Kafka/Hadoop properties. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(password|secret|jaas|user-info|user\\.info|token|credential|access\\.key|secret\\.key).*");
    static final String MASK = "******";

    private EffectiveConfig() {
    }

    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    public static String render(ApplianceConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("pipelines", config.pipelines().stream().map(EffectiveConfig::pipeline).toList());
        root.put("console", console(config.console()));
        try {
            return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
                    .writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> pipeline(PipelineConfig p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("instance-id", p.instanceId() == null ? "(random per run)" : p.instanceId());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("bootstrap-servers", p.source().bootstrapServers());
        if (p.source().topicPattern() != null) {
            source.put("topic-pattern", p.source().topicPattern());
        } else {
            source.put("topics", p.source().topics());
        }
        source.put("group-id", p.source().groupId() == null ? "lakehouse-" + p.name() : p.source().groupId());
        source.put("starting-position", p.source().startingPosition());
        source.put("consumer-properties", masked(p.source().consumerProperties()));
        source.put("on-offset-gap", enumText(p.source().onOffsetGap()));
        source.put("on-topic-recreated", enumText(p.source().onTopicRecreated()));
        source.put("max-record-size", p.source().maxRecordSize());
        source.put("leave-group-on-stop", p.source().leaveGroupOnStop());
        source.put("envelope", enumText(p.source().envelope()));
        if (p.tablePerTopic()) {
            source.put("topic-discovery-interval", p.source().topicDiscoveryInterval().toString());
        }
        m.put("source", source);
        m.put("format", p.format().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (p.registry() != null) {
            Map<String, Object> registry = new LinkedHashMap<>();
            registry.put("url", p.registry().urls());
            registry.put("user-info", p.registry().userInfo() == null ? null : MASK);
            registry.put("trust-store", p.registry().trustStore());
            registry.put("trust-store-password", p.registry().trustStorePassword() == null ? null : MASK);
            registry.put("timeout", p.registry().timeout().toString());
            m.put("registry", registry);
        }
        if (p.valueSchemaFile() != null) {
            m.put("value-schema-file", p.valueSchemaFile());
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("location", p.table().location());
        table.put("partition-by", p.table().partitionBy());
        table.put("properties", masked(p.table().properties()));
        table.put("target-file-size", p.table().targetFileSize());
        table.put("codec", p.table().codec());
        table.put("hadoop", masked(p.table().hadoop()));
        table.put("required-columns", p.table().requiredColumns());
        table.put("writer-lease", enumText(p.table().writerLease()) + (p.table().leased() ? " (on)" : " (off)"));
        table.put("writer-lease-ttl", p.table().writerLeaseTtl().toString());
        table.put("kafka-metadata", p.table().kafkaMetadata());
        table.put("commit-coordination", enumText(p.table().commitCoordination()));
        table.put("mode", enumText(p.table().mode()));
        table.put("key", p.table().key());
        table.put("kafka-key-column", p.table().kafkaKeyColumn() == null ? "(none)" : p.table().kafkaKeyColumn());
        table.put("version-column", p.table().versionColumn() == null ? "(none)" : p.table().versionColumn());
        table.put("soft-deletes", p.table().softDeletes());
        table.put("change-metadata", p.table().changeMetadata());
        table.put("dedupe-horizon", p.table().dedupeHorizon() == null ? "(the whole table)"
                : p.table().dedupeHorizon().within().toString());
        table.put("dedupe-time-column", p.table().dedupeHorizon() == null ? "(none)"
                : p.table().dedupeHorizon().timeColumn());
        table.put("freshness-objective", p.table().freshnessObjective() == null ? "(none)"
                : p.table().freshnessObjective().describe());
        table.put("freshness-window", p.table().freshnessObjective() == null ? dev.lakehouse.ingest.status.FreshnessObjective.DEFAULT_WINDOW.toString()
                : p.table().freshnessObjective().window().toString());
        table.put("freshness-event-time", p.table().freshnessEventTime() == null ? "(the Kafka timestamp)"
                : p.table().freshnessEventTime());
        m.put("table", table);
        m.put("on-incompatible-schema", enumText(p.onIncompatibleSchema()));
        Map<String, Object> deadLetters = new LinkedHashMap<>();
        deadLetters.put("table", p.deadLetters().tableLocation() == null ? "none" : p.deadLetters().tableLocation());
        deadLetters.put("topic", p.deadLetters().topic());
        if (!p.deadLetters().producerProperties().isEmpty()) {
            deadLetters.put("producer-properties", masked(p.deadLetters().producerProperties()));
        }
        m.put("dead-letters", deadLetters);
        Map<String, Object> compaction = new LinkedHashMap<>();
        compaction.put("enabled", p.compaction().enabled());
        if (p.compaction().cron() != null) {
            compaction.put("cron", p.compaction().cron());
        } else {
            compaction.put("schedule", p.compaction().interval().toString());
        }
        compaction.put("small-file-size", p.compaction().smallFileSize());
        compaction.put("min-input-files", p.compaction().minInputFiles());
        compaction.put("sort-by", p.compaction().sortBy());
        compaction.put("vacuum-schedule", p.compaction().vacuumInterval() == null ? "never"
                : p.compaction().vacuumInterval().toString());
        compaction.put("vacuum-retention", p.compaction().vacuumRetention().toString());
        m.put("compaction", compaction);
        Map<String, Object> trigger = new LinkedHashMap<>();
        trigger.put("interval", p.trigger().interval().toString());
        trigger.put("max-records", p.trigger().maxRecords());
        trigger.put("max-bytes", p.trigger().maxBytes());
        trigger.put("max-bytes-in-flight", p.trigger().maxBytesInFlight() == 0 ? "auto"
                : p.trigger().maxBytesInFlight());
        m.put("trigger", trigger);
        return m;
    }

    private static Map<String, Object> console(ApplianceConfig.ConsoleConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", c.enabled());
        m.put("host", c.host());
        m.put("port", c.port());
        m.put("users", c.users().stream().map(u -> {
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("name", u.name());
            user.put("password-hash", MASK);
            user.put("role", enumText(u.role()));
            return user;
        }).toList());
        m.put("session-timeout", c.sessionTimeout().toString());
        m.put("ready-max-commit-age", c.readyMaxCommitAge().toString());
        m.put("ready-max-freshness", c.readyMaxFreshness() == null ? "(no rule)" : c.readyMaxFreshness().toString());
        m.put("ready-on-objective", c.readyOnObjective());
        return m;
    }

    private static String enumText(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> out.put(k, isSecretKey(k) ? MASK : v));
        return out;
    }

}
