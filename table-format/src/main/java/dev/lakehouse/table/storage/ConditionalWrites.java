package dev.lakehouse.table.storage;

import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a table's object store honours {@code If-None-Match: *} on writes, which is what lets several writers
 * commit to one table ({@link ConditionalPutLogStore}). Decided by trying, never assumed: a scratch object under
 * {@code <table>/_lakehouse/probe/} is written twice with the condition, and the store holds only if the second
 * write is refused. A store that ignores the header (it accepts the second write) or refuses the condition
 * itself (400, 501) does not hold; the probe fails closed.
 */
public final class ConditionalWrites {

    private static final Logger LOG = LoggerFactory.getLogger(ConditionalWrites.class);

    /** Put-if-absent on one object store. */
    interface Store {
        /**
         * Creates the object unless it exists.
         *
         * @throws FileAlreadyExistsException if it exists
         * @throws UnsupportedException if the store refuses the condition itself
         * @throws IOException if the store cannot be reached or the outcome cannot be told
         */
        void putIfAbsent(URI object, byte[] bytes) throws IOException;

        /** Deletes the object; gone already is fine. */
        void delete(URI object);
    }

    /** The store does not understand {@code If-None-Match} on writes. */
    static final class UnsupportedException extends IOException {
        UnsupportedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ConditionalWrites() {
    }

    /** Whether conditional writes can be probed at {@code location}: {@code s3a://} tables. */
    public static boolean probeable(String location) {
        return location != null && location.startsWith("s3a://");
    }

    /**
     * Probes the store of an {@code s3a://} table with its {@code fs.s3a.*} settings.
     *
     * @return whether it refuses a second conditional write of one key
     * @throws IllegalArgumentException if the table is not on {@code s3a://}
     * @throws UncheckedIOException if the store cannot be reached (nothing can be decided: try again later)
     */
    public static boolean supported(TableOptions options) {
        if (!probeable(options.location())) {
            throw new IllegalArgumentException("conditional writes are probed on s3a:// tables only, not "
                    + options.location());
        }
        URI scratch = URI.create(stripSlash(options.location()) + "/_lakehouse/probe/" + UUID.randomUUID());
        Store store;
        try {
            store = S3ObjectStore.of(new org.apache.hadoop.fs.Path(scratch),
                    HadoopConfigurations.create(options.location(), options.hadoopProperties()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe the conditional writes of " + scratch + ": "
                    + e.getMessage(), e);
        }
        return probe(store, scratch);
    }

    /**
     * Writes {@code scratch} twice with the condition, different bytes each time, then deletes it.
     *
     * @throws UncheckedIOException if the store cannot be reached
     */
    static boolean probe(Store store, URI scratch) {
        try {
            store.putIfAbsent(scratch, "first".getBytes(StandardCharsets.UTF_8));
            try {
                store.putIfAbsent(scratch, "second".getBytes(StandardCharsets.UTF_8));
                LOG.warn("{}: the store accepted a second write of one key with If-None-Match: *; it ignores "
                        + "conditional writes", scratch);
                return false;
            } catch (FileAlreadyExistsException refused) {
                return true;
            }
        } catch (UnsupportedException e) {
            LOG.warn("{}: {}", scratch, e.getMessage());
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe the conditional writes of " + scratch + ": "
                    + e.getMessage(), e);
        } finally {
            try {
                store.delete(scratch);
            } catch (RuntimeException e) {
                LOG.debug("{}: probe object not deleted: {}", scratch, e.toString());
            }
        }
    }

    private static String stripSlash(String location) {
        return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
    }
}
