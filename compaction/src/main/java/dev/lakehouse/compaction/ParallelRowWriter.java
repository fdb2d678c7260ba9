package dev.lakehouse.compaction;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.RowReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes the rows of one {@link RowReader} through several {@link DataFileWriter}s at once, one per thread, so
 * that Parquet encoding and compression, the part of a rewrite that one thread cannot keep up with, use more
 * than one core. Threads take rows in chunks of {@link #CHUNK_ROWS} from the reader under one lock; each writer
 * rolls its own files at the table's target size, so the output has at most {@code threads - 1} more files than
 * one writer would produce (each writer's last file is partial).
 *
 * <p><strong>All or nothing</strong>: the files of every writer are returned together once all of them finished;
 * if any thread fails (a read error, a storage error), the others stop at their next chunk, every writer is
 * aborted (its files deleted, best effort; leftovers are orphans for vacuum) and the first failure is thrown.
 * Nothing is committed here: the caller commits the returned files.
 *
 * <p><strong>Memory</strong>: each writer buffers up to one row group per open file (see the table's writer), so
 * running {@code threads} writers holds up to {@code threads} times as much as one.
 */
final class ParallelRowWriter {

    static final int CHUNK_ROWS = 1024;

    private final int threads;
    private final Supplier<DataFileWriter> newWriter;

    /**
     * @param threads writers running at once, at least 1
     * @param newWriter opens one writer of the table (called once per thread, on the calling thread)
     */
    ParallelRowWriter(int threads, Supplier<DataFileWriter> newWriter) {
        if (threads < 1) {
            throw new IllegalArgumentException("writer threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.newWriter = newWriter;
    }

    /**
     * Writes every row of {@code rows} and returns the complete files of all writers, in writer order.
     *
     * @throws RuntimeException the first failure of any writer or of the reader, after every writer was aborted
     */
    List<DataFile> writeAll(RowReader rows) {
        List<DataFileWriter> writers = new ArrayList<>(threads);
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "lakehouse-file-writer-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        SharedRows shared = new SharedRows(rows);
        try {
            for (int t = 0; t < threads; t++) {
                writers.add(newWriter.get());
            }
            List<Future<List<DataFile>>> results = new ArrayList<>(threads);
            for (DataFileWriter writer : writers) {
                results.add(pool.submit(() -> drainInto(shared, writer)));
            }
            List<DataFile> files = new ArrayList<>();
            RuntimeException failure = null;
            for (Future<List<DataFile>> result : results) {
                try {
                    files.addAll(result.get());
                } catch (ExecutionException e) {
                    shared.stop();
                    failure = first(failure, e.getCause());
                } catch (InterruptedException e) {
                    shared.stop();
                    Thread.currentThread().interrupt();
                    failure = first(failure, e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            return files;
        } catch (RuntimeException e) {
            shared.stop();
            writers.forEach(DataFileWriter::abort);
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<DataFile> drainInto(SharedRows shared, DataFileWriter writer) {
        try {
            List<GenericRecord> chunk = new ArrayList<>(CHUNK_ROWS);
            while (shared.take(chunk)) {
                for (GenericRecord row : chunk) {
                    writer.write(row);
                }
                chunk.clear();
            }
            return writer.finish();
        } catch (RuntimeException e) {
            shared.stop(); // the other writers stop at their next chunk instead of writing files to be deleted
            throw e;
        }
    }

    private static RuntimeException first(RuntimeException earlier, Throwable failure) {
        if (earlier != null) {
            earlier.addSuppressed(failure);
            return earlier;
        }
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("a compaction writer failed: " + failure, failure);
    }

    /** The reader, shared by the writer threads: one chunk at a time under a lock; stopped on the first failure. */
    private static final class SharedRows {
        private final RowReader rows;
        private boolean done;

        SharedRows(RowReader rows) {
            this.rows = rows;
        }

        /** Fills {@code chunk} with up to {@link #CHUNK_ROWS} rows; false when there are none (or stopped). */
        synchronized boolean take(List<GenericRecord> chunk) {
            if (done) {
                return false;
            }
            try {
                for (GenericRecord row = rows.next(); row != null; row = rows.next()) {
                    chunk.add(row);
                    if (chunk.size() == CHUNK_ROWS) {
                        return true;
                    }
                }
            } catch (RuntimeException e) {
                done = true; // the other threads stop too; the failure reaches the caller through this thread
                throw e;
            }
            done = true;
            return !chunk.isEmpty();
        }

        synchronized void stop() {
            done = true;
        }
    }
}
