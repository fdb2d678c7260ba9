package dev.lakehouse.ingest.resources;

/**
 * The read bytes every pipeline of a process holds between Kafka and its table, together: each pipeline's own
 * {@code maxBytesInFlight} bounds it, and this bounds their sum, so a process with hundreds of
 * pipelines holds no more than one with a few.
 *
 * <p>Taking waits while the sum would pass the limit; a take while nothing at all is held always succeeds, so a
 * chunk larger than the whole limit goes alone and nothing waits forever. No deadlock: bytes are given back as soon
 * as a pipeline's writer has handled them (appended them to its open files), never held until a commit.
 * Thread-safe.
 */
public final class ProcessByteBudget {

    private static final ProcessByteBudget SHARED = new ProcessByteBudget(Math.max(16L << 20,
            Runtime.getRuntime().maxMemory() / 8));

    private long limit;
    private long held;
    private long peakHeld;
    private long largestTake;
    private long waits;

    /** @param limit bytes all pipelines sharing it hold at most (a single larger chunk excepted) */
    public ProcessByteBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a byte budget must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /** The budget of this process: an eighth of the heap (at least 16 MiB), shared by every pipeline it runs. */
    public static ProcessByteBudget shared() {
        return SHARED;
    }

    /** The bytes all sharers hold at most. */
    public synchronized long limit() {
        return limit;
    }

    /**
     * Raises the limit to a sharer's own budget when that is larger: a pipeline configured to hold more than the
     * process's default may, and the others share that much.
     */
    public synchronized void admit(long pipelineBudget) {
        limit = Math.max(limit, pipelineBudget);
    }

    /** The bytes held now. */
    public synchronized long held() {
        return held;
    }

    /**
     * Takes {@code bytes}, waiting up to {@code waitMillis} for room.
     *
     * @return whether they were taken; when not, the caller checks its own state (a failed writer, a stop) and
     *     asks again
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean take(long bytes, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        boolean waited = false;
        while (held > 0 && held + bytes > limit) {
            if (!waited) {
                waited = true;
                waits++;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        held += bytes;
        peakHeld = Math.max(peakHeld, held);
        largestTake = Math.max(largestTake, bytes);
        return true;
    }

    /** The most bytes held at once so far: at most the limit, or one chunk larger than it taken alone. */
    public synchronized long peakHeld() {
        return peakHeld;
    }

    /** The largest single take so far. */
    public synchronized long largestTake() {
        return largestTake;
    }

    /** How many takes had to wait for room so far: how often the budget held a pipeline back. */
    public synchronized long waits() {
        return waits;
    }

    /** Gives back bytes taken before. */
    public synchronized void release(long bytes) {
        held -= bytes;
        notifyAll();
    }
}
