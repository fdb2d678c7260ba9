package dev.lakehouse.table.storage;

import dev.lakehouse.table.TableOptions;
import io.delta.storage.HadoopFileSystemLogStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * delta-standalone's log store for object stores with conditional writes: several processes may commit to one
 * table. Every log file that must never be overwritten ({@code <version>.json}) is written with
 * {@code If-None-Match: *} ({@link S3ObjectStore#putIfAbsent}); when another writer created the version first the
 * store refuses, this becomes {@link java.nio.file.FileAlreadyExistsException}, and delta-standalone's optimistic
 * concurrency does what it does on HDFS: it reads the winner's commit, checks for conflicts and commits the next
 * version. An ambiguous outcome is resolved by reading the object back.
 *
 * <p>Reads and listings go through the table's {@code s3a} file system (S3's listings are strongly consistent).
 * Writes with {@code overwrite} ({@code _last_checkpoint}) are plain atomic PUTs. Checkpoint files are written by
 * delta-standalone through the file system; two writers checkpointing one version write the same table state,
 * and a PUT replaces an object whole, so either copy is a valid checkpoint.
 *
 * <p>Selected by {@link TableOptions.Builder#conditionalPutCommits()} ({@code delta.logStore.s3a.impl}); only for
 * stores that {@link ConditionalWrites#supported} says honour the condition.
 */
public final class ConditionalPutLogStore extends HadoopFileSystemLogStore {

    /** The Hadoop property with which delta-standalone picks the log store of {@code s3a://} tables. */
    public static final String S3A_LOG_STORE_PROPERTY = "delta.logStore.s3a.impl";

    public ConditionalPutLogStore(Configuration initHadoopConf) {
        super(initHadoopConf);
    }

    @Override
    public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
            throws IOException {
        byte[] bytes = newlineDelimited(actions);
        if (Boolean.TRUE.equals(overwrite)) {
            FileSystem fs = path.getFileSystem(hadoopConf);
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(bytes);
            }
            return;
        }
        S3ObjectStore.of(path, hadoopConf).putIfAbsent(path.toUri(), bytes);
    }

    /** A PUT is all or nothing: a reader never sees part of a log file. */
    @Override
    public Boolean isPartialWriteVisible(Path path, Configuration hadoopConf) {
        return false;
    }

    private static byte[] newlineDelimited(Iterator<String> actions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (actions.hasNext()) {
            out.writeBytes(actions.next().getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }
}
