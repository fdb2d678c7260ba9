package dev.lakehouse.app.config;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ApplianceConfig.TableConfig;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.FreshnessObjective;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import dev.lakehouse.table.DedupeHorizon;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks a pipeline's {@code table} section: the location (a {@code file:} or {@code s3a:} URI, a path
 * relative to the configuration file, a {@code {topic}} placeholder), partitions, file sizes and codec, the writer
 * lease and commit coordination, and a keyed table's mode, key and columns.
 */
final class TableSection {

    static final Set<String> CODECS = Set.of("zstd", "snappy", "gzip", "uncompressed");
    private static final Pattern PARTITION = Pattern.compile("(?i)\\s*(?:(year|month|day|hour)\\((\\w+)\\)(?:\\s+as\\s+(\\w+))?|(\\w+))\\s*");

    private TableSection() {
    }

    /**
     * The {@code table} section of a pipeline; every problem is added to {@code node}'s, naming its key.
     */
    static TableConfig read(ConfigNode node, Path baseDir) {
        String location = node.requiredString("location", "a table URI such as file:///data/orders or s3a://bucket/orders");
        if (location != null) {
            location = normalizeLocation(node, "location", location, baseDir);
        }
        List<String> partitionBy = node.stringList("partition-by");
        for (String spec : partitionBy) {
            if (!PARTITION.matcher(spec).matches()) {
                node.problem("partition-by", "'" + spec + "' is not a partition column: use a field name, or "
                        + "year|month|day|hour(field) [as column]");
            }
        }
        var properties = node.stringMap("properties");
        long targetFileSize = node.bytes("target-file-size", 128L * 1024 * 1024);
        String codec = node.string("codec").map(c -> c.toLowerCase(Locale.ROOT)).orElse("zstd");
        if (!CODECS.contains(codec)) {
            node.problem("codec", "'" + codec + "' is not one of " + String.join(", ", new java.util.TreeSet<>(CODECS)));
        }
        var hadoop = node.stringMap("hadoop");
        List<String> requiredColumns = node.stringList("required-columns");
        for (String column : requiredColumns) {
            if (!PipelineSettings.isColumnPath(column)) {
                node.problem("required-columns", "'" + column + "' is not a column name or a dotted path to a nested "
                        + "column (customer.email)");
            }
        }
        ApplianceConfig.WriterLeaseMode writerLease = node.choice("writer-lease", ApplianceConfig.WriterLeaseMode.class,
                ApplianceConfig.WriterLeaseMode.AUTO);
        Duration writerLeaseTtl = node.duration("writer-lease-ttl", Duration.ofSeconds(60));
        if (writerLeaseTtl.compareTo(Duration.ofSeconds(5)) < 0) {
            node.problem("writer-lease-ttl", "must be at least 5s: it is renewed every third of it");
        }
        boolean kafkaMetadata = node.bool("kafka-metadata", false);
        ApplianceConfig.CommitCoordinationMode coordination = node.choice("commit-coordination",
                ApplianceConfig.CommitCoordinationMode.class, ApplianceConfig.CommitCoordinationMode.AUTO);
        if (coordination == ApplianceConfig.CommitCoordinationMode.CONDITIONAL_PUT && location != null
                && !location.startsWith("s3a://")) {
            node.problem("commit-coordination", "is conditional-put, which needs an s3a:// table; " + location
                    + " is coordinated by a local file lock (leave the setting at auto)");
        }
        ApplianceConfig.TableMode mode = node.choice("mode", ApplianceConfig.TableMode.class,
                ApplianceConfig.TableMode.APPEND);
        // Without table.key a keyed table is keyed by the fields of the Kafka key of the record that creates it
        // (recorded in the table): one pipeline then serves a whole database's change streams, each table its key.
        List<String> key = node.stringList("key");
        String versionColumn = node.string("version-column").orElse(null);
        if (versionColumn != null && mode != ApplianceConfig.TableMode.UPSERT) {
            node.problem("version-column", "is set but table.mode is " + mode.name().toLowerCase(Locale.ROOT)
                    + "; a version column orders the rows of an upsert table");
        } else if (versionColumn != null && !versionColumn.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            node.problem("version-column", "'" + versionColumn + "' is not the name of a top-level column");
        }
        if (mode == ApplianceConfig.TableMode.APPEND && !key.isEmpty()) {
            node.problem("key", "is set but table.mode is append, which keeps every record; set table.mode: upsert "
                    + "for one row per key");
        }
        for (String column : key) {
            if (!column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                node.problem("key", "'" + column + "' is not the name of a top-level column");
            }
        }
        boolean softDeletes = node.bool("soft-deletes", false);
        if (softDeletes && mode != ApplianceConfig.TableMode.UPSERT) {
            node.problem("soft-deletes", "is true but table.mode is " + mode.name().toLowerCase(Locale.ROOT)
                    + "; soft deletes keep the deleted rows of an upsert table");
        }
        boolean changeMetadata = node.bool("change-metadata", false);
        String kafkaKeyColumn = node.string("kafka-key-column").orElse(null);
        if (kafkaKeyColumn != null) {
            if (mode == ApplianceConfig.TableMode.APPEND) {
                node.problem("kafka-key-column", "is set but table.mode is append; it keys an upsert or dedupe table "
                        + "by the Kafka key");
            } else if (!key.isEmpty()) {
                node.problem("kafka-key-column", "and table.key are both set; the Kafka key's column is the key: set "
                        + "one of them");
            } else if (!kafkaKeyColumn.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                node.problem("kafka-key-column", "'" + kafkaKeyColumn + "' is not a column name");
            }
        }
        Duration freshnessWindow = node.duration("freshness-window", FreshnessObjective.DEFAULT_WINDOW);
        FreshnessObjective freshnessObjective = null;
        String objective = node.string("freshness-objective").orElse(null);
        if (objective != null) {
            try {
                freshnessObjective = FreshnessObjective.parse(objective, freshnessWindow);
            } catch (IllegalArgumentException e) {
                node.problem("freshness-objective", e.getMessage());
            }
        }
        String freshnessEventTime = node.string("freshness-event-time").orElse(null);
        if (freshnessEventTime != null && !freshnessEventTime.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            node.problem("freshness-event-time", "'" + freshnessEventTime + "' is not a top-level column name");
        }
        DedupeHorizon dedupeHorizon = dedupeHorizon(node, mode);
        node.finish();
        return new TableConfig(location, partitionBy, properties, targetFileSize, codec, hadoop, requiredColumns,
                writerLease, writerLeaseTtl, kafkaMetadata, coordination, mode, key, versionColumn, softDeletes,
                changeMetadata, kafkaKeyColumn, freshnessObjective, freshnessEventTime, dedupeHorizon);
    }

    /** {@code dedupe-horizon} on {@code dedupe-time-column}, both or neither, with {@code mode: dedupe}; or null. */
    private static DedupeHorizon dedupeHorizon(ConfigNode node, ApplianceConfig.TableMode mode) {
        Duration within = node.duration("dedupe-horizon", null);
        String column = node.string("dedupe-time-column").orElse(null);
        if (within == null && column == null) {
            return null;
        }
        if (mode != ApplianceConfig.TableMode.DEDUPE) {
            node.problem(within != null ? "dedupe-horizon" : "dedupe-time-column", "is set but table.mode is "
                    + mode.name().toLowerCase(Locale.ROOT) + "; a horizon bounds how far back a dedupe table looks "
                    + "for copies");
            return null;
        }
        if (within == null || column == null) {
            node.problem(within == null ? "dedupe-horizon" : "dedupe-time-column", "is missing: a dedupe horizon "
                    + "needs both table.dedupe-horizon (such as 7d) and table.dedupe-time-column (a timestamp or "
                    + "date column of the rows)");
            return null;
        }
        if (!column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            node.problem("dedupe-time-column", "'" + column + "' is not the name of a top-level column");
            return null;
        }
        try {
            return new DedupeHorizon(column, within);
        } catch (IllegalArgumentException e) {
            node.problem("dedupe-horizon", e.getMessage());
            return null;
        }
    }

    /**
     * The location as a URI; a {@code {topic}} placeholder (a table per topic) is kept as it is, although braces
     * are not URI characters: it is replaced by a topic name (letters, digits, '.', '_', '-') before use.
     */
    static String normalizeLocation(ConfigNode node, String key, String location, Path baseDir) {
        String marker = "lakehouse-topic-placeholder-7f3a";
        String normalized = normalizeUri(node, key, location.replace(PipelineConfig.TOPIC_PLACEHOLDER, marker),
                baseDir);
        return normalized.replace(marker, PipelineConfig.TOPIC_PLACEHOLDER);
    }

    private static String normalizeUri(ConfigNode node, String key, String location, Path baseDir) {
        if (location.startsWith("s3a://") || location.startsWith("file:/")) {
            try {
                return URI.create(location).toString();
            } catch (IllegalArgumentException e) {
                node.problem(key, "'" + location + "' is not a valid URI: " + e.getMessage());
                return location;
            }
        }
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            node.problem(key, "'" + location + "': the scheme is not supported; use file:// or s3a://");
            return location;
        }
        return resolve(baseDir, location).toUri().toString();
    }

    /** {@code path} as an absolute path, a relative one resolved against the configuration file's directory. */
    static Path resolve(Path baseDir, String path) {
        Path p = Paths.get(path);
        return (p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p)).toAbsolutePath().normalize();
    }

    /** Parses one partition-by entry (already validated). */
    static String[] partitionParts(String spec) {
        var m = PARTITION.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException(spec);
        }
        if (m.group(4) != null) {
            return new String[] {"identity", m.group(4), m.group(4)};
        }
        String transform = m.group(1).toLowerCase(Locale.ROOT);
        String column = m.group(3) != null ? m.group(3) : m.group(2) + "_" + transform;
        return new String[] {transform, m.group(2), column};
    }
}
