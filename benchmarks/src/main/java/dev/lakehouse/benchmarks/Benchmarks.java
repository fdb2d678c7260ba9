package dev.lakehouse.benchmarks;

import java.util.Map;

/** Dispatches {@code -Dbench=NAME} to a benchmark. */
public final class Benchmarks {

    private static final Map<String, Runnable> ALL = Map.of(
            "deserialize", DeserializationBenchmark::run,
            "table-write", TableWriteBenchmark::run,
            "ingest", IngestBenchmark::run,
            "compaction", CompactionBenchmark::run,
            "shared-table", SharedTableBenchmark::run);

    private Benchmarks() {
    }

    public static void main(String[] args) {
        String name = args.length == 0 ? "" : args[0];
        Runnable benchmark = ALL.get(name);
        if (benchmark == null) {
            System.err.println("unknown benchmark '" + name + "'; known: " + ALL.keySet());
            System.exit(2);
        }
        benchmark.run();
    }
}
