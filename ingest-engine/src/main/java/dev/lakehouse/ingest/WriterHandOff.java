package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.resources.ProcessByteBudget;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.settings.BatchLimits;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.table.LakeTable;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The hand-off between a run's poll thread and its {@link BatchWriter}: a task queue bounded by slots and
 * by bytes (the back-pressure: the poll thread blocks while either is spent; the bytes of a task are given back
 * when the writer has handled it) and a result queue. Every wait checks whether the writer
 * failed, so the poll thread never blocks on a dead writer: the writer's failure is rethrown on the poll thread.
 *
 * <p>The writer has no thread of its own: queued work is handled in turns on the process's {@link WriterPool}, one
 * turn at a time per writer, so its tasks run in order, and a turn ends when the queue is empty or after
 * {@link WriterPool#QUANTUM_NANOS}, when the next turn is queued behind the other writers' (hundreds of tables
 * share a few threads). A turn runs under the thread name {@code lakehouse-<pipeline>-writer}, for the logs.
 */
final class WriterHandOff {

    /**
     * Chunks queued at most. Small on purpose: rows waiting here outlive the young collections that happen every few
     * tens of milliseconds at full speed, so the collector copies and promotes them; four chunks (about 4,000 rows,
     * a few milliseconds of the writer's work) decouple the threads as well as 32 did, and with them the drain
     * benchmark runs at the same speed in half the heap.
     */
    private static final int QUEUE_CAPACITY = 4;
    /**
     * Chunks queued at most for a keyed table. Its writer only collects a batch's rows, then merges the batch for
     * seconds; with four slots the poll thread would stop reading during every merge and the next batch could not
     * grow while the pipeline is behind. The byte budget still bounds what is held.
     */
    private static final int KEYED_QUEUE_CAPACITY = 1_024;

    private final BlockingQueue<BatchWriter.Task> tasks;
    private final BlockingQueue<BatchWriter.Result> results = new LinkedBlockingQueue<>();
    private final BatchWriter writer;
    private final WriterPool pool;
    private final String turnName;
    /** Whether a turn is queued or running; one at a time. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Object runnerLock = new Object();
    /** Guarded by runnerLock: the thread running the writer's turn now, for a stop that must interrupt it. */
    private Thread runner;
    private volatile boolean started;
    private final long budget;
    private final ProcessByteBudget processBudget;
    private final Object bytesLock = new Object();
    private long bytesInFlight;
    /** Guarded by bytesLock: set by {@link #stop}, after which the writer's releases are ignored. */
    private boolean stopped;

    WriterHandOff(PipelineSettings settings, LakeTable table, DeadLetterDestination deadLetters,
                  Consumer<BatchProgress> progressSink) {
        this.budget = settings.limits().maxBytesInFlight();
        this.processBudget = settings.services().processByteBudget();
        if (settings.limits().maxBytesInFlightConfigured()) {
            this.processBudget.admit(budget); // a pipeline configured to hold more than the process's default may
        }
        this.tasks = new ArrayBlockingQueue<>(settings.keys().keyed() ? KEYED_QUEUE_CAPACITY : QUEUE_CAPACITY);
        this.writer = new BatchWriter(settings, table, deadLetters, tasks, results, progressSink, this::release);
        this.pool = settings.services().writerPool();
        this.turnName = "lakehouse-" + settings.name() + "-writer";
    }

    /** Lets the writer handle what is queued, and from now on what is put. */
    void start() {
        started = true;
        schedule();
    }

    /** Queues the writer's next turn on the pool, unless one is queued or running, or the writer ended. */
    private void schedule() {
        if (started && ended.getCount() > 0 && scheduled.compareAndSet(false, true)) {
            pool.execute(this::turn);
        }
    }

    private void turn() {
        Thread current = Thread.currentThread();
        String poolName = current.getName();
        current.setName(turnName);
        synchronized (runnerLock) {
            runner = current;
        }
        boolean done = false;
        try {
            done = writer.drain(WriterPool.QUANTUM_NANOS);
        } finally {
            synchronized (runnerLock) {
                runner = null;
                Thread.interrupted(); // an interrupt meant for this writer ends with its turn
            }
            current.setName(poolName);
            if (done) {
                ended.countDown(); // and scheduled stays set: no turn is queued again
            } else {
                scheduled.set(false);
                if (!tasks.isEmpty()) {
                    schedule(); // put() may have queued a task after the drain found the queue empty
                }
            }
        }
    }

    private void interruptRunner() {
        synchronized (runnerLock) {
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    /**
     * Whether the process's open data files passed their budget and this table's hold the most
     * ({@link ProcessByteBudget#commitEarly}): the open batch should be committed now.
     */
    boolean openFilesOverBudget() {
        return processBudget.commitEarly(writer);
    }

    /** The byte budget of what is in flight ({@link BatchLimits#maxBytesInFlight()}). */
    long budget() {
        return budget;
    }

    /**
     * Queues a task, waiting while the queue is full or its bytes would exceed the pipeline's budget or the
     * process's ({@link ProcessByteBudget}; a task larger than a whole budget waits until nothing else is in
     * flight, then goes alone).
     */
    void put(BatchWriter.Task task) {
        long bytes = task.bytes();
        try {
            // Only this (the poll) thread adds bytes, and the writer only gives them back: room seen stays room.
            synchronized (bytesLock) {
                while (bytesInFlight > 0 && bytesInFlight + bytes > budget) {
                    bytesLock.wait(100);
                    checkWriter();
                }
            }
            // Then the process's share, which every pipeline of the process draws on.
            while (!processBudget.take(bytes, 100)) {
                checkWriter();
            }
            synchronized (bytesLock) {
                bytesInFlight += bytes; // from here on given back by the writer, or by stop()
            }
            while (!tasks.offer(task, 100, TimeUnit.MILLISECONDS)) {
                checkWriter();
            }
            schedule();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing work to the writer", e);
        }
    }

    /** Waits until the writer has handled every task queued so far (committing sealed batches, dropping the open one). */
    void barrier() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        put(new BatchWriter.Task.Barrier(done));
        while (true) {
            try {
                done.get(100, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                checkWriter();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the writer", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("writer barrier failed", e.getCause());
            }
        }
        checkWriter();
    }

    /** Called by the writer when it has handled a task of {@code bytes}. */
    private void release(long bytes) {
        if (bytes > 0) {
            synchronized (bytesLock) {
                if (stopped) {
                    return; // stop() gave back everything still counted
                }
                bytesInFlight -= bytes;
                bytesLock.notifyAll();
            }
            processBudget.release(bytes);
        }
    }

    /**
     * Gives the process's budget back whatever this hand-off still counts: tasks a failed or stopped writer never
     * handled would otherwise hold their share of every pipeline's budget for the life of the process.
     */
    private void releaseAll() {
        long left;
        synchronized (bytesLock) {
            stopped = true;
            left = bytesInFlight;
            bytesInFlight = 0;
            bytesLock.notifyAll();
        }
        if (left > 0) {
            processBudget.release(left);
        }
    }

    /** The writer's next result, in order, or null when there is none now; never blocks. */
    BatchWriter.Result nextResult() {
        return results.poll();
    }

    /** Rethrows the writer's failure on the calling thread, if it failed. */
    void checkWriter() {
        Throwable failure = writer.failure();
        if (failure != null) {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("the writer thread failed: " + failure, failure);
        }
    }

    /**
     * Ends the writer; after a clean run it may finish its current commit (up to a minute), otherwise it has ten
     * seconds. A writer that does not end in time drops its open batch and its queue at its next turn (a commit
     * already under way cannot be taken back). Gives back every byte still counted.
     */
    void stop(boolean clean) {
        if (!tasks.offer(new BatchWriter.Task.Shutdown())) {
            writer.abandon(); // the queue is full: what it holds is dropped, as a shutdown would
            interruptRunner();
        }
        schedule();
        if (started) {
            try {
                if (!ended.await(clean ? 60 : 10, TimeUnit.SECONDS)) {
                    writer.abandon();
                    interruptRunner();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseAll();
    }
}
