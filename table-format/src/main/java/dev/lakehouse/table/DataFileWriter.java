package dev.lakehouse.table;

import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes one batch's records into new Parquet data files of a table, rolled at the target file size and split by
 * partition. Files get unique names and are never overwritten; nothing is visible in the table until the files
 * are committed with {@link LakeTable#commit}.
 *
 * <p>Not thread-safe: one writer per batch, used by one thread.
 */
public interface DataFileWriter extends AutoCloseable {

    /**
     * Appends a record of the table's current Avro schema ({@link TableSnapshot#avroSchema()}).
     *
     * @throws java.io.UncheckedIOException if storage fails; the writer is then unusable, call {@link #abort()}
     */
    void write(GenericRecord record);

    /** Records written so far. */
    long recordCount();

    /** Bytes written so far, including buffered data not yet flushed (an estimate until {@link #finish()}). */
    long estimatedBytes();

    /**
     * The size of the files still open: their buffered row groups and what was already flushed of them. An upper
     * bound of what the writer holds in memory (files rolled or finished hold none); by default
     * {@link #estimatedBytes()}.
     */
    default long openFileBytes() {
        return estimatedBytes();
    }

    /**
     * Closes every open file and returns them, complete, with their statistics. The writer cannot be used after.
     *
     * @throws java.io.UncheckedIOException if a file cannot be completed; call {@link #abort()}
     */
    List<DataFile> finish();

    /**
     * Abandons the batch: closes and deletes what it wrote, best effort (files left behind are orphans, never
     * referenced by the log, and vacuum removes them).
     */
    void abort();

    /** Aborts unless {@link #finish()} completed. */
    @Override
    void close();
}
