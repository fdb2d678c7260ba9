package dev.lakehouse.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/lakehouse} of the built app directory in its own process, with the script's default JVM options (as
 * an operator runs it), optionally pinned to CPUs with {@code taskset}. While it runs, its peak resident set and CPU
 * time are sampled ({@link ProcessSampler}); heap sizes come from a GC log the
 * JVM writes through {@code JAVA_TOOL_OPTIONS}, which adds to the script's options instead of replacing them.
 */
final class InstalledAppliance implements AutoCloseable {

    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private final Process process;
    private final Path gcLog;
    private final long launchedNanos;
    private final ProcessSampler sampler;

    private InstalledAppliance(Process process, Path gcLog, long launchedNanos) {
        this.process = process;
        this.gcLog = gcLog;
        this.launchedNanos = launchedNanos;
        this.sampler = ProcessSampler.start(process);
    }

    /**
     * Launches {@code bin/lakehouse args...}.
     *
     * @param cpus a {@code taskset -c} CPU list, or null for no pinning
     * @param javaOpts {@code JAVA_OPTS} in place of the script's default JVM options, or null for those
     * @param workDir where its output and GC log go
     */
    static InstalledAppliance launch(String cpus, String javaOpts, Path workDir, String... args) {
        Path script = Path.of(System.getProperty("app.home", "../app/target/lakehouse"), "bin", "lakehouse")
                .toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " is missing: build the app module first (mvn -pl benchmarks "
                    + "-am package builds it)");
        }
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.add(script.toString());
        command.addAll(List.of(args));
        Path gcLog = workDir.resolve("appliance-gc.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("appliance.log").toFile());
        builder.environment().remove("JAVA_OPTS");
        if (javaOpts != null) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:gc:file=" + gcLog);
        try {
            long launched = System.nanoTime();
            return new InstalledAppliance(builder.start(), gcLog, launched);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long launchedNanos() {
        return launchedNanos;
    }

    Process process() {
        return process;
    }

    /** Peak resident set size so far, in MB. */
    long peakRssMb() {
        return sampler.peakRssMb();
    }

    /** The most threads the process had at once, and how many it has now. */
    int peakThreads() {
        return sampler.peakThreads();
    }

    int threads() {
        return sampler.threads();
    }

    /**
     * The process's threads by name, digits and the pipeline's topic left out ({@code lakehouse-fan.fan50-7-poll}
     * counts as {@code lakehouse-*-poll}; the kernel keeps 15 characters of a name), most numerous first.
     */
    java.util.Map<String, Integer> threadsByName() {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String name = java.nio.file.Files.readString(task.resolve("comm")).strip();
                    name = name.startsWith("lakehouse-") && !name.startsWith("lakehouse-write")
                            ? "lakehouse-*" + name.substring(name.lastIndexOf('-') < 10 ? name.length()
                            : name.lastIndexOf('-')) : name.replaceAll("[0-9]+", "#");
                    counts.merge(name, 1, Integer::sum);
                } catch (java.io.IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return java.util.Map.of();
        }
        java.util.Map<String, Integer> sorted = new java.util.LinkedHashMap<>();
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** User plus system CPU seconds so far. */
    double cpuSeconds() {
        return sampler.cpuSeconds();
    }

    /** The largest heap in use before a collection and the largest committed heap, in MB, from the GC log. */
    String heapSummary() {
        long used = 0;
        long committed = 0;
        try {
            if (Files.exists(gcLog)) {
                for (String line : Files.readAllLines(gcLog)) {
                    Matcher m = GC_LINE.matcher(line);
                    if (m.find()) {
                        used = Math.max(used, Long.parseLong(m.group(1)));
                        committed = Math.max(committed, Long.parseLong(m.group(3)));
                    }
                }
            }
        } catch (IOException e) {
            return "heap unknown (" + e.getMessage() + ")";
        }
        return String.format("peak heap used %,d MB, peak heap committed %,d MB", used, committed);
    }

    /** Waits for the process to exit; returns its exit code. */
    int waitFor() throws InterruptedException {
        int code = process.waitFor();
        sampler.join();
        return code;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
        sampler.join();
    }
}
