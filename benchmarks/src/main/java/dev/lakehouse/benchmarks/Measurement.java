package dev.lakehouse.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;

/** Timing of repeated iterations over the same input, reported as throughput percentiles. */
final class Measurement {

    private final String name;
    private final long recordsPerIteration;
    private final long bytesPerIteration;
    private final double[] secondsPerIteration;
    private int count;

    Measurement(String name, long recordsPerIteration, long bytesPerIteration, int iterations) {
        this.name = name;
        this.recordsPerIteration = recordsPerIteration;
        this.bytesPerIteration = bytesPerIteration;
        this.secondsPerIteration = new double[iterations];
    }

    void add(long nanos) {
        secondsPerIteration[count++] = nanos / 1e9;
    }

    /** One line: median and best records/s, MB/s at the median, and the spread over iterations. */
    String report() {
        double[] sorted = Arrays.copyOf(secondsPerIteration, count);
        Arrays.sort(sorted);
        double median = sorted[count / 2];
        double best = sorted[0];
        double worst = sorted[count - 1];
        return String.format("%-38s median %,12.0f records/s  best %,12.0f records/s  worst %,12.0f records/s  "
                        + "%7.1f MB/s (median, payload bytes)  [%d iterations of %,d records]",
                name, recordsPerIteration / median, recordsPerIteration / best, recordsPerIteration / worst,
                bytesPerIteration / median / 1e6, count, recordsPerIteration);
    }

    /** Peak heap used since JVM start, summed over heap pools (an upper bound: pools peak at different times). */
    static String peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return String.format("peak heap %,d MB (max %,d MB)", peak >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    /** The {@code p} quantile (0..1) of {@code count} values counted in a histogram of whole milliseconds. */
    static long percentileMillis(int[] histogram, long count, double p) {
        long rank = (long) Math.ceil(p * count);
        long seen = 0;
        for (int millis = 0; millis < histogram.length; millis++) {
            seen += histogram[millis];
            if (seen >= rank) {
                return millis;
            }
        }
        return histogram.length;
    }
}
