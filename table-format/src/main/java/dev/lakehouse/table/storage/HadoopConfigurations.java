package dev.lakehouse.table.storage;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The Hadoop configuration every table uses: the caller's properties over the appliance's defaults.
 *
 * <p>Tables with the same properties and the same kind of location share one configuration: each copy holds every
 * Hadoop default with where it came from (about 200 KB), and an appliance with a table per topic opens two tables
 * per topic (rows and dead letters), so a thousand topics held hundreds of megabytes of identical copies. Nothing
 * changes a configuration after it is built here: the table code only reads it, and the libraries it hands it to
 * (Parquet's readers and writers, delta-standalone, Hadoop's file systems; S3A copies it before adding its
 * per-bucket options) read it too. Reads of one configuration from several threads are safe: Hadoop synchronizes
 * them, which is also why tables are spread over {@link #STRIPES} copies by location: with one copy for every
 * table, the writer threads' reads contended for its lock (the fanout benchmark's 200 tables took 15-17 % longer).
 */
public final class HadoopConfigurations {

    /** Copies of each configuration, tables taking one by their location's hash. */
    static final int STRIPES = 8;

    private record Key(boolean local, Map<String, String> properties, int stripe) {
    }

    private static final java.util.concurrent.ConcurrentHashMap<Key, Configuration> SHARED =
            new java.util.concurrent.ConcurrentHashMap<>();

    private HadoopConfigurations() {
    }

    /**
     * Hadoop's defaults, parsed once: a new {@link Configuration} parses Hadoop's XML resources again when it is
     * first read, which made opening each of hundreds of tables cost tens of milliseconds. Never changed after it
     * is built; each table gets a copy.
     */
    private static final class Defaults {
        static final Configuration PARSED = parsed();

        private static Configuration parsed() {
            Configuration conf = new Configuration();
            conf.size(); // parses the resources now, once
            return conf;
        }
    }

    /**
     * The configuration for a table: one of {@link #STRIPES} instances shared by the tables with the same kind of
     * location and properties. Callers must not change it.
     *
     * @param location the table's location: local tables get a local file system without checksum files
     */
    public static Configuration create(String location, Map<String, String> properties) {
        String scheme = java.net.URI.create(location).getScheme();
        boolean local = scheme == null || scheme.equals("file");
        return SHARED.computeIfAbsent(new Key(local, Map.copyOf(properties), Math.floorMod(location.hashCode(),
                STRIPES)), key -> build(key.local(), key.properties()));
    }

    private static Configuration build(boolean local, Map<String, String> properties) {
        Configuration conf = new RegexMemoizingConfiguration(Defaults.PARSED);
        // Standard three-level Parquet lists: what Spark, Trino and Delta Kernel expect. parquet-avro's default
        // two-level form is read differently by different engines.
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        if (local) {
            // Hadoop's local file system writes a .crc file beside every data file; Delta readers never need them.
            // Only for local tables: S3A buffers uploads on local disk through the checksumming local file system.
            // The raw one, without Hadoop's native library, runs chmod and readlink for every file it creates or
            // renames: the appliance's own starts no process.
            conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
            conf.set("fs.AbstractFileSystem.file.impl", NioLocalFs.class.getName());
            // Hadoop caches file systems by scheme, not by configuration: without this, a checksumming local file
            // system created elsewhere in the JVM (another library's default configuration) would be reused here.
            conf.setBoolean("fs.file.impl.disable.cache", true);
        }
        // Hadoop closes every cached file system in a JVM shutdown hook of its own, which runs beside the
        // appliance's graceful stop: the stop's last commit, lease release and compaction would then meet a closed
        // s3a file system. The appliance closes what it uses; the JVM's exit releases the rest.
        conf.setBoolean("fs.automatic.close", false);
        properties.forEach(conf::set);
        return conf;
    }

    /**
     * A configuration that remembers the answers of {@link #getValByRegex}: delta-standalone asks twice for every
     * table it opens (the log store's settings), and each question matches the regular expression against every
     * one of Hadoop's several hundred properties, which made a fifth of the CPU of a run that opens a thousand
     * tables. The configurations built here are not changed after they are built; a change clears the answers
     * all the same.
     */
    private static final class RegexMemoizingConfiguration extends Configuration {
        private final java.util.concurrent.ConcurrentHashMap<String, Map<String, String>> byRegex =
                new java.util.concurrent.ConcurrentHashMap<>();

        RegexMemoizingConfiguration(Configuration other) {
            super(other);
        }

        @Override
        public Map<String, String> getValByRegex(String regex) {
            // A copy each time: callers may change the map they get, as they may Hadoop's own.
            return new java.util.HashMap<>(byRegex.computeIfAbsent(regex, r -> Map.copyOf(super.getValByRegex(r))));
        }

        @Override
        public void set(String name, String value, String source) {
            super.set(name, value, source);
            byRegex.clear();
        }

        @Override
        public synchronized void unset(String name) {
            super.unset(name);
            byRegex.clear();
        }

        @Override
        public synchronized void reloadConfiguration() {
            super.reloadConfiguration();
            byRegex.clear();
        }

        @Override
        public void clear() {
            super.clear();
            byRegex.clear();
        }
    }
}
