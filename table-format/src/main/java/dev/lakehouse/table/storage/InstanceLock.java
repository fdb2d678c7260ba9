package dev.lakehouse.table.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proof that one process, and only one, runs a pipeline instance ({@code <pipeline>@<instance>}) on a table on
 * local disk.
 *
 * <p>A fixed instance id makes batch ids continue across restarts and makes the consumer a static group member;
 * two live processes with one identity would fence each other's consumers and race for one batch counter. The
 * lock is an OS file lock on {@code <table>/_lakehouse/instances/<pipeline>@<instance>.lock} (hidden from Delta
 * readers and vacuum). The OS releases it the moment its process dies, even by {@code kill -9}, so a restarted
 * process takes it at once while a second live process is refused with the holder's name, which the holder writes
 * into the file. Object-store tables get the same refusal from their writer lease ({@link WriterLease}), whose
 * owner is the instance id. Held until {@link #close()} or the end of the process.
 */
public final class InstanceLock implements AutoCloseable {

    /** Locks this JVM holds: file locks do not exclude other threads of the same process. */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** This process as holders name it: {@code <host>/<pid>}. */
    public static String thisProcess() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /** Whether {@link #acquire} applies to a table at {@code location}: tables on local disk. */
    public static boolean supported(String location) {
        String scheme = URI.create(location).getScheme();
        return scheme == null || scheme.equals("file");
    }

    /**
     * Takes the lock of {@code batchAppId} on the local table at {@code location} (which need not exist yet).
     *
     * @param holder who takes it, for the refusal another process gets (for example {@code host/pid})
     * @throws InstanceIdInUseException if a live process holds it; its message names that process
     * @throws IllegalArgumentException if the table is not on local disk (see {@link #supported})
     * @throws UncheckedIOException if the lock file cannot be created or locked
     */
    public static InstanceLock acquire(String location, String batchAppId, String holder) {
        if (!supported(location)) {
            throw new IllegalArgumentException("instance locks are for local tables; " + location + " is not one");
        }
        URI uri = URI.create(location);
        Path table = uri.getScheme() == null ? Path.of(location) : Path.of(uri);
        Path file = table.toAbsolutePath().normalize().resolve("_lakehouse").resolve("instances")
                .resolve(batchAppId + ".lock");
        if (!HELD_HERE.add(file)) {
            throw inUse(location, batchAppId, holderOf(file));
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw inUse(location, batchAppId, holderOf(file));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((holder + " since " + Instant.now()).getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new InstanceLock(file, channel, lock);
        } catch (IOException e) {
            release(file, channel);
            throw new UncheckedIOException("cannot lock the instance " + batchAppId + " of " + location + " ("
                    + file + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            release(file, channel);
            throw e;
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases the lock, so another process may run this instance. Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // Closing the channel below releases it too.
        }
        release(file, channel);
    }

    private static void release(Path file, FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing more to release.
            }
        }
        HELD_HERE.remove(file);
    }

    /** What the holder wrote into the lock file: its name and since when. */
    private static String holderOf(Path file) {
        try {
            String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
            return holder.isEmpty() ? "another process" : holder;
        } catch (IOException e) {
            return "another process";
        }
    }

    private static InstanceIdInUseException inUse(String location, String batchAppId, String holder) {
        return new InstanceIdInUseException("instance " + batchAppId + " of table " + location + " is running in "
                + holder + ". Two live processes with one instance-id would fence each other's consumers and race "
                + "for one batch counter, so this one does not start. Stop the other process, or give this one its "
                + "own instance-id.");
    }
}
