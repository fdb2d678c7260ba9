package dev.lakehouse.benchmarks;

import java.util.Map;

/** Dispatches {@code -Dbench=NAME} to a benchmark. */
public final class Benchmarks {

    private static final Map<String, Runnable> ALL = Map.of(
            "deserialize", DeserializationBenchmark::run,
            "table-write", TableWriteBenchmark::run,
            "ingest", IngestBenchmark::run,
            "compaction", CompactionBenchmark::run,
            "shared-table", SharedTableBenchmark::run,
            "drain", DrainBenchmark::run,
            "freshness", FreshnessBenchmark::run,
            "versus-spark", SparkComparisonBenchmark::run,
            "upsert", UpsertBenchmark::run,
            "audit", AuditBenchmark::run);

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
