package dev.lakehouse.table.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes commits to a table on local disk, across threads and processes.
 *
 * <p>delta-standalone writes a log version with "fail if it exists, then rename". On a local file system that
 * check and the rename are two steps, and the rename replaces an existing file, so two writers that commit the
 * same version at the same moment can both succeed and one commit is lost. Holding this lock around the commit
 * makes the check reliable: the second writer then finds the version taken and retries on the next one, as Delta
 * intends. The lock is an OS file lock on {@code <table>/_lakehouse/commit.lock} (hidden from Delta readers and
 * vacuum) for other processes, plus a JVM-wide lock per table for other threads, which file locks do not exclude.
 * Other storage is left to its log store (object stores take a writer lease instead, see {@link WriterLease}).
 */
public final class LocalCommitLock {

    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path lockFile;

    private LocalCommitLock(Path lockFile) {
        this.lockFile = lockFile;
    }

    /** The lock of a local table, or null for other storage. */
    public static LocalCommitLock forLocation(String location) {
        URI uri = URI.create(location);
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return null;
        }
        Path table = uri.getScheme() == null ? Path.of(location) : Path.of(uri);
        return new LocalCommitLock(table.toAbsolutePath().normalize().resolve("_lakehouse").resolve("commit.lock"));
    }

    /** Runs {@code commit} while holding the lock; {@code lock} may be null (no locking needed). */
    public static <T> T around(LocalCommitLock lock, Supplier<T> commit) {
        return lock == null ? commit.get() : lock.run(commit);
    }

    private <T> T run(Supplier<T> commit) {
        ReentrantLock threads = IN_PROCESS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        threads.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock processes = channel.lock()) {
                return commit.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile + " for a commit: " + e.getMessage(), e);
        } finally {
            threads.unlock();
        }
    }
}
