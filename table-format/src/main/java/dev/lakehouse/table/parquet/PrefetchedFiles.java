package dev.lakehouse.table.parquet;

import dev.lakehouse.table.DataFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;

/**
 * Data files opened, read and decompressed ahead of the threads that copy them, on {@code threads} threads of
 * their own: opening a file is a footer read (a round trip on object storage) and decompression is CPU work, and
 * both overlap with the copying. A file with the expected Parquet schema comes row group by row group, each a
 * {@link DecodedRowGroup}; any other file (written before a schema change) comes as a {@link Item.OtherSchema}
 * for the consumer to read as records.
 *
 * <p><strong>Memory</strong> is bounded by {@code memoryBytes} of decompressed row groups handed out and not yet
 * {@linkplain #release released}; a row group larger than that budget takes the whole budget, so one always fits.
 *
 * <p><strong>Failures</strong>: the first error of any file is handed to a consumer by {@link #next()}, after
 * which no more files are opened. {@link #close()} stops the threads. Safe for several consumer threads.
 */
final class PrefetchedFiles implements AutoCloseable {

    /** What a consumer gets. */
    sealed interface Item {
        /** A row group of a file with the expected schema, decompressed; {@link #release} it once copied. */
        record RowGroup(DataFile file, String createdBy, DecodedRowGroup rows) implements Item {
        }

        /** A file with another schema: read it as records. */
        record OtherSchema(DataFile file) implements Item {
        }

        /** A file could not be read. */
        record Failed(RuntimeException error) implements Item {
        }

        /** No more files. */
        record End() implements Item {
        }
    }

    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final ExecutorService threads;
    private final Semaphore memory;
    private final int memoryPermits;
    private final AtomicInteger threadsRunning;
    private volatile boolean closed;

    /**
     * @param files the files to read
     * @param expected the Parquet schema whose files are decoded here
     * @param memoryBytes decompressed bytes held at once, at most
     */
    PrefetchedFiles(List<DataFile> files, Path root, Configuration conf, MessageType expected, int threads,
                    long memoryBytes) {
        int count = Math.max(1, Math.min(threads, files.size()));
        this.memoryPermits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, memoryBytes >> 10)); // in KiB
        this.memory = new Semaphore(memoryPermits);
        this.threadsRunning = new AtomicInteger(count);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(count, r -> {
            Thread thread = new Thread(r, "lakehouse-file-reader-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        for (int t = 0; t < count; t++) {
            this.threads.execute(() -> readFiles(files, root, conf, expected, next));
        }
        this.threads.shutdown();
    }

    /**
     * The next file, waiting for one to be read; {@link Item.End} once all are handed out (to every caller from
     * then on).
     */
    Item next() {
        try {
            Item item = queue.take();
            if (item instanceof Item.End || item instanceof Item.Failed) {
                queue.add(item); // every other consumer sees it too
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for data files", e);
        }
    }

    /** Gives back the memory of a row group the consumer has copied. */
    void release(DecodedRowGroup rowGroup) {
        memory.release(permits(rowGroup.uncompressedBytes()));
    }

    /** Stops reading because a consumer failed: every consumer waiting in {@link #next()} gets {@code error}. */
    void stop(RuntimeException error) {
        closed = true;
        queue.add(new Item.Failed(error));
        threads.shutdownNow();
    }

    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
    }

    private void readFiles(List<DataFile> files, Path root, Configuration conf, MessageType expected,
                           AtomicInteger next) {
        // One set of read options (with its codecs) per thread: a file reader releases its codecs when closed.
        ParquetReadOptions options = HadoopReadOptions.builder(conf).build();
        try {
            for (int index = next.getAndIncrement(); index < files.size() && !closed; index = next.getAndIncrement()) {
                read(files.get(index), root, conf, expected, options);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // closed
        } catch (RuntimeException | Error e) {
            // No more files are opened; the consumers stop at this failure (an Error too, or they would wait forever).
            closed = true;
            queue.add(new Item.Failed(e instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("reading data files failed: " + e, e)));
            return;
        }
        if (threadsRunning.decrementAndGet() == 0) {
            queue.add(new Item.End());
        }
    }

    private void read(DataFile file, Path root, Configuration conf, MessageType expected,
                      ParquetReadOptions options) throws InterruptedException {
        try (ParquetFileReader reader = ParquetFileReader.open(KnownLengthInputFile.of(root, file, conf), options)) {
            ParquetMetadata footer = reader.getFooter();
            if (!footer.getFileMetaData().getSchema().equals(expected)) {
                queue.add(new Item.OtherSchema(file));
                return;
            }
            String createdBy = footer.getFileMetaData().getCreatedBy();
            for (BlockMetaData block : footer.getBlocks()) {
                memory.acquire(permits(block.getTotalByteSize()));
                PageReadStore pages = reader.readNextRowGroup();
                if (pages == null) {
                    memory.release(permits(block.getTotalByteSize()));
                    break;
                }
                queue.add(new Item.RowGroup(file, createdBy,
                        new DecodedRowGroup(pages, expected.getColumns(), block.getTotalByteSize())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read data file " + KnownLengthInputFile.resolve(root, file), e);
        }
    }

    private int permits(long bytes) {
        return (int) Math.max(1, Math.min(memoryPermits, bytes >> 10));
    }
}
