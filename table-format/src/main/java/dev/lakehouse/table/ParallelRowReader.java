package dev.lakehouse.table;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;

/**
 * The rows of several data files, read on {@code parallelism} threads: each thread opens the next unread file and
 * hands its rows over in chunks through one bounded queue, so opening files (a footer read, a round trip on object
 * storage) and decoding them overlap with the consumer's work. Rows come in no particular order across files.
 *
 * <p><strong>Memory</strong> is bounded: at most {@code 2 × parallelism} chunks wait in the queue, and each thread
 * fills one more, so rows held at once are at most {@code 3 × parallelism × CHUNK_ROWS}.
 *
 * <p><strong>Failures</strong>: the first error of any file is thrown by {@link #next()}, after which the reader
 * is done. {@link #close()} stops the threads (a reader closed early leaves nothing running). Used by one
 * consumer thread.
 */
public final class ParallelRowReader implements RowReader {

    static final int CHUNK_ROWS = 1024;

    /** What the queue carries: rows, the end of one thread's work, or a failure. */
    private sealed interface Item {
        record Rows(List<GenericRecord> rows) implements Item {
        }

        record ThreadDone() implements Item {
        }

        record Failed(RuntimeException error) implements Item {
        }
    }

    private final BlockingQueue<Item> queue;
    private final ExecutorService threads;
    private final int parallelism;
    private int threadsDone;
    private Iterator<GenericRecord> current = java.util.Collections.emptyIterator();
    private volatile boolean closed;

    /**
     * @param files the files to read
     * @param open opens one file's reader (its rows in the table schema)
     * @param parallelism threads reading at once, at least 1
     */
    public <F> ParallelRowReader(List<F> files, Function<F, RowReader> open, int parallelism) {
        this.parallelism = Math.max(1, Math.min(parallelism, Math.max(1, files.size())));
        this.queue = new ArrayBlockingQueue<>(2 * this.parallelism + 1);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(this.parallelism, r -> {
            Thread thread = new Thread(r, "lakehouse-file-reader-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        for (int t = 0; t < this.parallelism; t++) {
            threads.execute(() -> readFiles(files, open, next));
        }
        threads.shutdown(); // the threads end when the files are read or the reader is closed
    }

    private <F> void readFiles(List<F> files, Function<F, RowReader> open, AtomicInteger next) {
        try {
            for (int index = next.getAndIncrement(); index < files.size() && !closed;
                 index = next.getAndIncrement()) {
                try (RowReader reader = open.apply(files.get(index))) {
                    List<GenericRecord> chunk = new ArrayList<>(CHUNK_ROWS);
                    for (GenericRecord row = reader.next(); row != null && !closed; row = reader.next()) {
                        chunk.add(row);
                        if (chunk.size() == CHUNK_ROWS) {
                            queue.put(new Item.Rows(chunk));
                            chunk = new ArrayList<>(CHUNK_ROWS);
                        }
                    }
                    if (!chunk.isEmpty()) {
                        queue.put(new Item.Rows(chunk));
                    }
                }
            }
            queue.put(new Item.ThreadDone());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closed: nobody reads the queue any more
        } catch (RuntimeException e) {
            try {
                queue.put(new Item.Failed(e));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public GenericRecord next() {
        while (!current.hasNext()) {
            if (threadsDone == parallelism) {
                return null;
            }
            Item item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading data files", e);
            }
            if (item instanceof Item.Rows rows) {
                current = rows.rows().iterator();
            } else if (item instanceof Item.ThreadDone) {
                threadsDone++;
            } else if (item instanceof Item.Failed failed) {
                threadsDone = parallelism; // done: the caller gives up on these files
                close();
                throw failed.error() instanceof UncheckedIOException io ? io : failed.error();
            }
        }
        return current.next();
    }

    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
        queue.clear();
    }
}
