package dev.lakehouse.ingest.resources;

import java.util.HashMap;
import java.util.Map;

/**
 * The read bytes every pipeline of a process holds between Kafka and its table, together: each pipeline's own
 * {@code maxBytesInFlight} bounds it, and this bounds their sum, so a process with hundreds of
 * pipelines holds no more than one with a few.
 *
 * <p>A second ledger counts the bytes of the tables' open data files ({@link #openFiles}): it never blocks, it
 * asks the table holding the most to commit early ({@link #commitEarly}).
 *
 * <p>Taking waits while the sum would pass the limit; a take while nothing at all is held always succeeds, so a
 * chunk larger than the whole limit goes alone and nothing waits forever. No deadlock: bytes are given back as soon
 * as a pipeline's writer has handled them (appended them to its open files), never held until a commit.
 * Thread-safe.
 */
public final class ProcessByteBudget {

    private static final ProcessByteBudget SHARED = new ProcessByteBudget(Math.max(16L << 20,
            Runtime.getRuntime().maxMemory() / 8), Math.max(32L << 20, Runtime.getRuntime().maxMemory() / 4));

    private long limit;
    /** The second ledger: bytes of the tables' open data files, reported by their writers. */
    private final long openFileLimit;
    private final Map<Object, Long> openFiles = new HashMap<>();
    private long openFileBytes;
    private long held;
    private long peakHeld;
    private long largestTake;
    private long waits;

    /**
     * A budget whose open data files may hold twice {@code limit}.
     *
     * @param limit bytes all pipelines sharing it hold at most (a single larger chunk excepted)
     */
    public ProcessByteBudget(long limit) {
        this(limit, 2 * limit);
    }

    /**
     * @param limit bytes all pipelines sharing it hold at most (a single larger chunk excepted)
     * @param openFileLimit bytes the open data files of all their tables hold before the largest is committed early
     */
    public ProcessByteBudget(long limit, long openFileLimit) {
        if (limit <= 0 || openFileLimit <= 0) {
            throw new IllegalArgumentException("a byte budget must be positive, got " + limit + " and "
                    + openFileLimit);
        }
        this.limit = limit;
        this.openFileLimit = openFileLimit;
    }

    /**
     * The budget of this process, shared by every pipeline it runs: an eighth of the heap (at least 16 MiB) for
     * records in flight, a quarter (at least 32 MiB) for open data files.
     */
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

    /**
     * A table's writer reports the size of its open data files ({@code DataFileWriter.openFileBytes()}) after it
     * appended rows, and 0 once its batch is committed or dropped. Parquet holds a row group in memory per open file,
     * which the in-flight ledger no longer counts once rows are appended; this ledger does, across every table.
     */
    public synchronized void openFiles(Object writer, long bytes) {
        Long before = bytes > 0 ? openFiles.put(writer, bytes) : openFiles.remove(writer);
        openFileBytes += bytes - (before == null ? 0 : before);
    }

    /**
     * Whether {@code writer}'s table should commit its open batch now: the open files of all tables passed their
     * limit and this writer's are the largest (ties: each of the largest). Never blocks; committing early frees the
     * largest share first, so hundreds of tables catching up hold about the limit, not a row group each.
     */
    public synchronized boolean commitEarly(Object writer) {
        Long mine = openFiles.get(writer);
        if (openFileBytes <= openFileLimit || mine == null) {
            return false;
        }
        for (long other : openFiles.values()) {
            if (other > mine) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of every sharer's open data files now. */
    public synchronized long openFileBytes() {
        return openFileBytes;
    }

    /** The bytes the open data files may hold before the largest table commits early. */
    public synchronized long openFileLimit() {
        return openFileLimit;
    }
}
