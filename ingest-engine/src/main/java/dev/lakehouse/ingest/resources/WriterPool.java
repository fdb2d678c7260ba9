package dev.lakehouse.ingest.resources;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that encode Parquet and commit batches, shared by every pipeline of a process: a process with
 * hundreds of tables runs as many writer threads as one with a few.
 *
 * <p>Each pipeline's writer runs its tasks in order on one of these threads at a time ({@code WriterHandOff}); a
 * writer gives its thread up when its queue is empty or after {@link #QUANTUM_NANOS} of work, so a table that is
 * always busy (a backlog) shares the pool with the others instead of holding a thread.
 *
 * <p>Sized by default to twice the cores, at least four: commits wait on storage (an object store's round trips),
 * so more threads than cores keep the cores busy, and a few slow tables (storage refusing, a large merge) leave
 * threads for the rest. Threads are made on demand, are daemons, and end after a minute without work.
 */
public final class WriterPool {

    /** How long a writer keeps its thread while it has work queued, before it lets others take a turn. */
    public static final long QUANTUM_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static final WriterPool SHARED = new WriterPool(defaultThreads());

    private final ThreadPoolExecutor executor;
    private final int threads;

    /** @param threads the most threads writing at once */
    public WriterPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a writer pool needs at least one thread, got " + threads);
        }
        this.threads = threads;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "lakehouse-writer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                factory);
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** The pool of this process: {@link #defaultThreads()} threads, shared by every pipeline it runs. */
    public static WriterPool shared() {
        return SHARED;
    }

    /** Twice the available cores, at least four. */
    public static int defaultThreads() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /** The most threads writing at once. */
    public int threads() {
        return threads;
    }

    /** The threads the pool has now (made on demand, ended after a minute idle). */
    public int liveThreads() {
        return executor.getPoolSize();
    }

    /** Runs {@code work} on one of the pool's threads as soon as one is free. */
    public void execute(Runnable work) {
        executor.execute(work);
    }
}
