package dev.lakehouse.ingest;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Parquet encoding of an append-only table's open batch on several threads: each lane has a thread and a file
 * writer of its own, and the writer thread deals the batch's row chunks to the lanes in turn, so a batch is encoded
 * on as many cores as there are lanes and still committed as one (the files of every lane together). Rows of one
 * batch land in any of its files, as they may: an append promises no order within a commit.
 *
 * <p>A chunk's bytes go back to the hand-off's budget when its lane has encoded it, not when it was dealt, so the
 * bytes in flight stay bounded. A lane that fails keeps failing (its later chunks are released unwritten) until
 * {@link #finish} or {@link #abort} reports it. Used by the writer thread only, one batch at a time.
 */
final class EncoderLanes implements AutoCloseable {

    private final LakeTable table;
    private final List<Lane> lanes = new ArrayList<>();
    private int next;

    /** @param count lanes, at least 2 (one lane is the writer thread itself, without this class) */
    EncoderLanes(LakeTable table, int count, String pipeline) {
        this.table = table;
        for (int i = 0; i < count; i++) {
            String name = "lakehouse-" + pipeline + "-encoder-" + i;
            lanes.add(new Lane(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, name);
                thread.setDaemon(true);
                return thread;
            })));
        }
    }

    /** Deals a chunk to the next lane; {@code release} gets its bytes once the lane has encoded (or dropped) it. */
    void write(Schema schema, List<GenericRecord> rows, long bytes, LongConsumer release) {
        Lane lane = lanes.get(next);
        next = (next + 1) % lanes.size();
        lane.pending.add(lane.executor.submit(() -> {
            long start = System.nanoTime();
            try {
                if (lane.failure == null) {
                    lane.write(table, schema, rows);
                }
            } catch (RuntimeException | Error e) {
                lane.failure = e;
            } finally {
                lane.nanos += System.nanoTime() - start;
                release.accept(bytes);
            }
        }));
    }

    /**
     * Waits until every lane has encoded what it was dealt and completes their files.
     *
     * @return the files of the batch, of every lane
     * @throws RuntimeException a lane's failure (the batch's files are then aborted)
     */
    List<DataFile> finish() throws InterruptedException {
        await();
        RuntimeException failure = firstFailure();
        if (failure != null) {
            abortAll();
            throw failure;
        }
        List<DataFile> files = new ArrayList<>();
        try {
            for (Lane lane : lanes) {
                if (lane.writer != null) {
                    lane.files.addAll(lane.writer.finish());
                    lane.writer = null;
                    lane.schema = null;
                }
            }
            lanes.forEach(lane -> files.addAll(lane.files));
        } catch (RuntimeException e) {
            abortAll();
            throw e;
        }
        lanes.forEach(lane -> lane.files.clear());
        return files;
    }

    /** Waits for the lanes and abandons the open batch's files (deleted best effort). */
    void abort() throws InterruptedException {
        await();
        abortAll();
    }

    /** The encoding time of the open batch, summed over the lanes, then reset. */
    long takeNanos() {
        long total = 0;
        for (Lane lane : lanes) {
            total += lane.nanos;
            lane.nanos = 0;
        }
        return total;
    }

    @Override
    public void close() {
        lanes.forEach(lane -> lane.executor.shutdownNow());
        for (Lane lane : lanes) {
            try {
                lane.executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void await() throws InterruptedException {
        for (Lane lane : lanes) {
            for (Future<?> task : lane.pending) {
                try {
                    task.get();
                } catch (ExecutionException e) {
                    lane.failure = lane.failure != null ? lane.failure : e.getCause();
                }
            }
            lane.pending.clear();
        }
    }

    private RuntimeException firstFailure() {
        for (Lane lane : lanes) {
            Throwable failure = lane.failure;
            if (failure != null) {
                lanes.forEach(l -> l.failure = null);
                return failure instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException("an encoder failed: " + failure, failure);
            }
        }
        return null;
    }

    private void abortAll() {
        for (Lane lane : lanes) {
            if (lane.writer != null) {
                lane.writer.abort();
                lane.writer = null;
                lane.schema = null;
            }
            lane.files.clear(); // finished files of an abandoned batch: orphans vacuum removes
            lane.failure = null;
            lane.nanos = 0;
        }
    }

    /** One encoding thread with its open file writer; its fields are touched by its thread, or after an await. */
    private static final class Lane {
        final ExecutorService executor;
        final List<Future<?>> pending = new ArrayList<>();
        final List<DataFile> files = new ArrayList<>();
        volatile DataFileWriter writer;
        volatile Schema schema;
        volatile Throwable failure;
        volatile long nanos;

        Lane(ExecutorService executor) {
            this.executor = executor;
        }

        void write(LakeTable table, Schema rowsSchema, List<GenericRecord> rows) {
            if (writer == null || schema != rowsSchema) {
                // A schema change within a batch: the files so far keep the older columns (readers fill nulls).
                if (writer != null) {
                    files.addAll(writer.finish());
                }
                writer = table.newDataFileWriter(rowsSchema);
                schema = rowsSchema;
            }
            for (GenericRecord row : rows) {
                writer.write(row);
            }
        }
    }
}
