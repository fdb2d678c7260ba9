package dev.lakehouse.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the tables of a fan-in's new topics side by side. A table is created when its first record arrives,
 * from that record's schema; a poll that brings the first records of hundreds of new topics made the poll thread
 * create them one after another (a Delta commit each), which was most of a catch-up run over a thousand new topics.
 * Here each creation runs on a small pool sized to the cores while the poll thread waits for all of them, so no
 * lane is ever used by two threads at once; then the poll thread converts the records as always.
 *
 * <p>The threads exist only while there is creating to do (they end after a few idle seconds). A creation that
 * fails leaves the failure for the conversion of the same record to meet and report; the waits end when the
 * creations do, which the table layer's own deadlines bound (a commit's retries, the store's timeouts).
 */
final class SideBySideCreation implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SideBySideCreation.class);
    private static final long SLOW_WAIT_SECONDS = 60;

    private final String pipeline;
    private final int threads;
    private ThreadPoolExecutor executor;

    SideBySideCreation(String pipeline, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.pipeline = pipeline;
        this.threads = threads;
    }

    /** As many threads as cores, at least two: creating a table waits on storage as much as it computes. */
    static SideBySideCreation forCores(String pipeline) {
        return new SideBySideCreation(pipeline, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Runs the creations side by side and returns when every one has ended. Each must handle its own failures
     * (an {@link Error} is rethrown here); fewer than two run on the calling thread.
     */
    void runAll(List<Runnable> creations) {
        if (creations.size() < 2) {
            creations.forEach(Runnable::run);
            return;
        }
        List<Future<?>> running = new ArrayList<>(creations.size());
        for (Runnable creation : creations) {
            running.add(executor().submit(creation));
        }
        boolean interrupted = false;
        for (Future<?> creation : running) {
            while (true) {
                try {
                    creation.get(SLOW_WAIT_SECONDS, TimeUnit.SECONDS);
                    break;
                } catch (TimeoutException e) {
                    LOG.warn("pipeline {}: still creating new tables after {} s (storage slow?); waiting for the "
                            + "table layer's own deadlines", pipeline, SLOW_WAIT_SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // the lanes are not the poll thread's again until every creation ended
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException("a table creation let a failure out: " + e.getCause(),
                            e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadPoolExecutor executor() {
        if (executor == null) {
            AtomicInteger count = new AtomicInteger();
            executor = new ThreadPoolExecutor(threads, threads, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    work -> {
                        Thread thread = new Thread(work, "lakehouse-" + pipeline + "-create-" + count.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            executor.allowCoreThreadTimeOut(true);
        }
        return executor;
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdown();
        }
    }
}
