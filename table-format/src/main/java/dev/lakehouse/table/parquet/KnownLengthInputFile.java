package dev.lakehouse.table.parquet;

import dev.lakehouse.table.DataFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A data file whose length is known from the table's log, opened without asking the store for its status:
 * {@code FileSystem.open} on s3a sends a HEAD request first, which for compaction's small files costs as much as
 * reading them. The status handed to {@code openFile} lets s3a skip it; other file systems ignore it.
 */
public final class KnownLengthInputFile implements InputFile {

    private final Path path;
    private final long length;
    private final Configuration conf;

    KnownLengthInputFile(Path path, long length, Configuration conf) {
        this.path = path;
        this.length = length;
        this.conf = conf;
    }

    /**
     * A table's data file to read: its log path (a relative URI) resolved against the table root, opened without a
     * status request when the log knows its length, or with one when it does not (0).
     *
     * @throws IOException if the store must be asked for the length and cannot answer
     */
    static InputFile of(Path tableRoot, DataFile file, Configuration conf) throws IOException {
        return of(resolve(tableRoot, file), file.sizeBytes(), conf);
    }

    /** A file at {@code path}, opened without a status request when {@code length} is known (above 0). */
    static InputFile of(Path path, long length, Configuration conf) throws IOException {
        return length > 0 ? new KnownLengthInputFile(path, length, conf) : HadoopInputFile.fromPath(path, conf);
    }

    /** Where a data file of the log lives: its path is a relative URI (escaped as Delta writes it). */
    public static Path resolve(Path tableRoot, DataFile file) {
        return new Path(tableRoot, new Path(URI.create(file.path())));
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
        FileStatus status = new FileStatus(length, false, 1, 0, 0, path);
        try {
            FSDataInputStream in = path.getFileSystem(conf).openFile(path).withFileStatus(status).build().get();
            return HadoopStreams.wrap(in);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening " + path);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("cannot open " + path, e.getCause());
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
