package dev.lakehouse.benchmarks;

import java.util.Map;

/** Dispatches {@code -Dbench=NAME} to a benchmark. */
public final class Benchmarks {

    private static final Map<String, Runnable> ALL = Map.ofEntries(
            Map.entry("deserialize", DeserializationBenchmark::run),
            Map.entry("table-write", TableWriteBenchmark::run),
            Map.entry("ingest", IngestBenchmark::run),
            Map.entry("compaction", CompactionBenchmark::run),
            Map.entry("shared-table", SharedTableBenchmark::run),
            Map.entry("drain", DrainBenchmark::run),
            Map.entry("freshness", FreshnessBenchmark::run),
            Map.entry("versus-spark", SparkComparisonBenchmark::run),
            Map.entry("upsert", UpsertBenchmark::run),
            Map.entry("audit", AuditBenchmark::run),
            Map.entry("fanout", FanoutBenchmark::run),
            Map.entry("rolling", RollingRestartBenchmark::run));

    private Benchmarks() {
    }

    /** {@code NAME [key=value ...]}: the benchmark, then system properties it reads (its cases, sizes). */
    public static void main(String[] args) {
        String name = args.length == 0 ? "" : args[0];
        for (int i = 1; i < args.length; i++) {
            for (String option : args[i].trim().split("\\s+")) {
                int equals = option.indexOf('=');
                if (equals > 0) {
                    System.setProperty(option.substring(0, equals), option.substring(equals + 1));
                }
            }
        }
        Runnable benchmark = ALL.get(name);
        if (benchmark == null) {
            System.err.println("unknown benchmark '" + name + "'; known: " + ALL.keySet());
            System.exit(2);
        }
        benchmark.run();
    }
}
