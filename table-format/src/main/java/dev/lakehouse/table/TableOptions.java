package dev.lakehouse.table;

import dev.lakehouse.table.delta.TableMetadata;
import dev.lakehouse.table.storage.ConditionalPutLogStore;
import dev.lakehouse.table.storage.ConditionalWrites;
import dev.lakehouse.table.storage.WriterLease;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How to open a table. Immutable; build with {@link #builder(String)}.
 *
 * <p>Defaults: unpartitioned, zstd, 128 MiB target file size, 10 commit attempts, system UTC clock.
 */
public final class TableOptions {

    private final String location;
    private final Map<String, String> hadoopProperties;
    private final PartitionSpec partitionSpec;
    private final Map<String, String> tableProperties;
    private final long targetFileSizeBytes;
    private final CompressionCodecName codec;
    private final int commitAttempts;
    private final String engineInfo;
    private final Clock clock;

    private TableOptions(Builder b) {
        this.location = b.location;
        this.hadoopProperties = Map.copyOf(b.hadoopProperties);
        this.partitionSpec = b.partitionSpec;
        this.tableProperties = Map.copyOf(b.tableProperties);
        this.targetFileSizeBytes = b.targetFileSizeBytes;
        this.codec = b.codec;
        this.commitAttempts = b.commitAttempts;
        this.engineInfo = b.engineInfo;
        this.clock = b.clock;
    }

    /**
     * @param location the table root: {@code file:///path}, a plain absolute path, or {@code s3a://bucket/path}
     */
    public static Builder builder(String location) {
        return new Builder(location);
    }

    public String location() {
        return location;
    }

    public Map<String, String> hadoopProperties() {
        return hadoopProperties;
    }

    public PartitionSpec partitionSpec() {
        return partitionSpec;
    }

    public Map<String, String> tableProperties() {
        return tableProperties;
    }

    public long targetFileSizeBytes() {
        return targetFileSizeBytes;
    }

    public CompressionCodecName codec() {
        return codec;
    }

    public int commitAttempts() {
        return commitAttempts;
    }

    public String engineInfo() {
        return engineInfo;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Whether log entries are written with {@code If-None-Match: *} ({@link ConditionalPutLogStore}), so several
     * processes may commit to the table. Default false: delta-standalone's own log store for the scheme.
     */
    public boolean conditionalPutCommits() {
        return ConditionalPutLogStore.class.getName()
                .equals(hadoopProperties.get(ConditionalPutLogStore.S3A_LOG_STORE_PROPERTY));
    }

    /**
     * What keeps concurrent commits apart: conditional puts when {@link #conditionalPutCommits()}, else a local
     * file lock on local disk and the writer lease on object stores.
     */
    public CommitCoordination commitCoordination() {
        if (conditionalPutCommits()) {
            return CommitCoordination.CONDITIONAL_PUT;
        }
        return WriterLease.needed(location) ? CommitCoordination.WRITER_LEASE : CommitCoordination.LOCAL_FILE_LOCK;
    }

    /** Builder of {@link TableOptions}. */
    public static final class Builder {
        private final String location;
        private final Map<String, String> hadoopProperties = new LinkedHashMap<>();
        private PartitionSpec partitionSpec = PartitionSpec.unpartitioned();
        private final Map<String, String> tableProperties = new LinkedHashMap<>();
        private long targetFileSizeBytes = 128L * 1024 * 1024;
        private CompressionCodecName codec = CompressionCodecName.ZSTD;
        private int commitAttempts = 10;
        private String engineInfo = "lakehouse-appliance/0.1.0";
        private Clock clock = Clock.systemUTC();

        private Builder(String location) {
            Objects.requireNonNull(location, "location");
            if (location.isBlank()) {
                throw new IllegalArgumentException("table location is empty: give a path, file:// or s3a:// URI");
            }
            this.location = location;
        }

        /** A Hadoop configuration property (e.g. {@code fs.s3a.endpoint}). */
        public Builder hadoopProperty(String key, String value) {
            hadoopProperties.put(key, value);
            return this;
        }

        /**
         * Commits through {@link ConditionalPutLogStore}: every log entry is written with {@code If-None-Match: *},
         * so several processes may commit to this {@code s3a://} table. Only for a store that
         * {@link ConditionalWrites#supported} says honours the condition; on one that ignores it, concurrent commits
         * would replace each other.
         *
         * @throws IllegalArgumentException if the table is not on {@code s3a://}
         */
        public Builder conditionalPutCommits() {
            if (!ConditionalWrites.probeable(location)) {
                throw new IllegalArgumentException("conditional-put commits need an s3a:// table, not " + location);
            }
            hadoopProperties.put(ConditionalPutLogStore.S3A_LOG_STORE_PROPERTY, ConditionalPutLogStore.class.getName());
            return this;
        }

        /** Partitioning used when this table is created; an existing table keeps its own and must agree. */
        public Builder partitionSpec(PartitionSpec spec) {
            this.partitionSpec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** A Delta table property set at creation (e.g. {@code delta.logRetentionDuration}). */
        public Builder tableProperty(String key, String value) {
            if (key.startsWith(TableMetadata.INTERNAL_PREFIX)) {
                throw new IllegalArgumentException("table property '" + key + "' is reserved by the appliance");
            }
            tableProperties.put(key, value);
            return this;
        }

        /** Files are closed once they reach about this size. At least 1 MiB. */
        public Builder targetFileSizeBytes(long bytes) {
            if (bytes < 1024 * 1024) {
                throw new IllegalArgumentException("target file size must be at least 1 MiB, got " + bytes);
            }
            this.targetFileSizeBytes = bytes;
            return this;
        }

        /** {@code zstd}, {@code snappy}, {@code gzip} or {@code uncompressed}. */
        public Builder codec(String name) {
            String normalized = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
            this.codec = switch (normalized) {
                case "ZSTD" -> CompressionCodecName.ZSTD;
                case "SNAPPY" -> CompressionCodecName.SNAPPY;
                case "GZIP" -> CompressionCodecName.GZIP;
                case "UNCOMPRESSED", "NONE" -> CompressionCodecName.UNCOMPRESSED;
                default -> throw new IllegalArgumentException("unknown codec '" + name
                        + "'; use zstd, snappy, gzip or uncompressed");
            };
            return this;
        }

        /** Attempts per commit on concurrent modification or errors. At least 1. */
        public Builder commitAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("commit attempts must be >= 1");
            }
            this.commitAttempts = attempts;
            return this;
        }

        /** Written into every commit's {@code engineInfo}. */
        public Builder engineInfo(String info) {
            this.engineInfo = Objects.requireNonNull(info, "info");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TableOptions build() {
            return new TableOptions(this);
        }
    }
}
