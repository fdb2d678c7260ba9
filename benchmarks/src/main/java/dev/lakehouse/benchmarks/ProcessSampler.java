package dev.lakehouse.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident set (the kernel's {@code VmHWM}) and CPU time (user plus system) of a child process, read from
 * {@code /proc} every 20 ms on a daemon thread until the process ends. Readings keep their last value after it
 * ends, so they can be read after {@link Process#waitFor()}.
 */
final class ProcessSampler {

    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final Thread thread;
    private volatile long peakRssKb;
    private volatile long cpuTicks;
    private volatile int threads;
    private volatile int peakThreads;

    private ProcessSampler(Process process) {
        this.process = process;
        this.thread = new Thread(this::sample, "sampler-" + process.pid());
        thread.setDaemon(true);
    }

    /** Starts sampling {@code process}. */
    static ProcessSampler start(Process process) {
        ProcessSampler sampler = new ProcessSampler(process);
        sampler.thread.start();
        return sampler;
    }

    /** Peak resident set size so far, in MB. */
    long peakRssMb() {
        return peakRssKb / 1024;
    }

    /** User plus system CPU seconds so far. */
    double cpuSeconds() {
        return cpuTicks / (double) CLOCK_TICKS_PER_SECOND;
    }

    /** The process's threads at the last reading. */
    int threads() {
        return threads;
    }

    /** The most threads the process had at once, of the readings. */
    int peakThreads() {
        return peakThreads;
    }

    /** Waits up to a second for the sampling thread, after the process has ended. */
    void join() throws InterruptedException {
        thread.join(1000);
    }

    private void sample() {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        while (process.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peakRssKb = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.replaceAll("\\D", ""));
                        peakThreads = Math.max(peakThreads, threads);
                    }
                }
                String statLine = Files.readString(stat);
                String[] fields = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
                // After the command name: state is field 3 of proc(5), utime 14 and stime 15.
                cpuTicks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                Thread.sleep(20);
            } catch (IOException | RuntimeException e) {
                return; // the process ended between two reads
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
