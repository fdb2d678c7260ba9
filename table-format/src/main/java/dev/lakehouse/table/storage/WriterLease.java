package dev.lakehouse.table.storage;

import dev.lakehouse.table.LeasedLakeTable;
import dev.lakehouse.table.TableOptions;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import dev.lakehouse.common.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The right to write one table, for storage where two writers lose commits. delta-standalone's S3 log store is
 * single-driver: it cannot detect a second process committing the same version, so the second commit silently
 * replaces the first. The lease keeps a second appliance out.
 *
 * <p>The lease is a small JSON file, {@code <table>/_lakehouse/writer-lease.json} (hidden from Delta readers and
 * vacuum), naming the owner, a random token and an expiry. {@link #acquire} refuses while another owner's lease
 * has not expired; it then writes its own, waits {@code settle}, and reads it back, so of two processes that start
 * together exactly one proceeds. The holder renews it ({@link #renew}) well within the time to live; a holder that
 * crashes stops renewing and its lease expires, after which anyone may take it. An owner that restarts under the
 * same name takes its own lease back as soon as a renewal is overdue ({@link #renewInterval()} plus a grace
 * period), without waiting for expiry; if the lease is still being renewed, another live process has that name
 * and the restart is refused.
 *
 * <p>Fencing: {@link #isValid()} is false from the moment a renewal is overdue by more than the time to live minus
 * a safety margin, so a paused or partitioned holder stops writing before a new holder can start. Before every
 * write (and before every commit attempt) {@link LeasedLakeTable} calls {@link #ensureValid()}, which renews an
 * invalid lease when storage answers again and nobody else took it: an outage longer than the time to live is
 * transient, only a lease another owner holds is not. Every renewal reads the lease back after writing it and
 * steps down if it is not its own; a renewal after the lease's expiry (when another owner could be taking it) also
 * waits the settle time first, exactly as {@link #acquire} does, so a successor's lease is never overwritten. Expiry is judged by the reader's clock against the writer's recorded time:
 * hosts' clocks must agree to well within the time to live (NTP does this).
 */
public final class WriterLease implements AutoCloseable {

    /** Storage where concurrent writers are unsafe with delta-standalone: object stores without atomic rename. */
    private static final Set<String> OBJECT_STORE_SCHEMES = Set.of("s3a", "s3", "s3n", "gs", "abfs", "abfss",
            "wasb", "wasbs", "oss", "cos", "cosn", "obs");
    static final String LEASE_FILE = "_lakehouse/writer-lease.json";
    static final String INSTANCE_LEASES = "_lakehouse/instance-leases/";
    private static final Duration MAX_RENEW_INTERVAL = Duration.ofSeconds(5);
    /** How late a live holder's renewal may be (storage latency, a GC pause) before it counts as stopped. */
    private static final Duration RENEWAL_GRACE = Duration.ofSeconds(2);
    private static final String PROCESS = InstanceLock.thisProcess();

    private final FileSystem fs;
    private final Path file;
    private final String tableLocation;
    private final String owner;
    private final String token = UUID.randomUUID().toString();
    private final Duration ttl;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration settle;
    private volatile Instant validUntil;
    /** When the lease last written expires for everyone else. */
    private volatile Instant expiresAt;
    /** Why the latest renewal failed, and since when renewals fail; null while they succeed. */
    private volatile String renewalFailure;
    private volatile Instant failingSince;
    private volatile boolean released;

    private WriterLease(FileSystem fs, Path file, String tableLocation, String owner, Duration ttl, Clock clock,
                        Sleeper sleeper, Duration settle) {
        this.fs = fs;
        this.file = file;
        this.tableLocation = tableLocation;
        this.owner = owner;
        this.ttl = ttl;
        this.clock = clock;
        this.sleeper = sleeper;
        this.settle = settle;
    }

    /** Whether tables at {@code location} need a writer lease (object stores). */
    public static boolean needed(String location) {
        if (location == null) {
            return false;
        }
        String scheme = URI.create(location).getScheme();
        return scheme != null && OBJECT_STORE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /**
     * Takes the table's writer lease.
     *
     * @param owner who holds it, shown to others (e.g. the instance id); the same owner takes its own lease back
     *        once its renewals have stopped, and is refused while they go on
     * @param ttl how long the lease lasts without renewal
     * @param settle how long to wait before reading the lease back (longer than two writers' start-up skew)
     * @throws WriterLeaseHeldException if another owner holds an unexpired lease, or won the race to it
     * @throws UncheckedIOException if the storage cannot be read or written
     */
    public static WriterLease acquire(TableOptions options, String owner, Duration ttl, Duration settle, Clock clock) {
        return acquire(options, owner, ttl, settle, clock, Sleeper.system());
    }

    /**
     * {@link #acquire(TableOptions, String, Duration, Duration, Clock)}, waiting (the settle time, a predecessor's
     * overdue renewal) with {@code sleeper}.
     */
    public static WriterLease acquire(TableOptions options, String owner, Duration ttl, Duration settle, Clock clock,
                                      Sleeper sleeper) {
        return acquire(options, LEASE_FILE, owner, ttl, settle, clock, sleeper);
    }

    /**
     * Takes the lease of one writer identity of a table that several writers share (conditional-put commits, see
     * {@link ConditionalPutLogStore}): {@code <table>/_lakehouse/instance-leases/<owner>.json}. It keeps no other
     * writer out; it keeps a second live process with the same owner (instance id) out, whose batch ids and
     * Kafka group membership would collide with the first's, with the same takeover and fencing rules as the
     * table's lease.
     *
     * @param owner the writer identity, such as {@code orders@lakehouse-1}
     * @throws WriterLeaseHeldException if another live process holds the identity
     * @throws UncheckedIOException if the storage cannot be read or written
     */
    public static WriterLease acquireInstance(TableOptions options, String owner, Duration ttl, Duration settle,
                                              Clock clock) {
        return acquire(options, INSTANCE_LEASES + owner.replaceAll("[^A-Za-z0-9_.@-]", "_") + ".json", owner, ttl,
                settle, clock, Sleeper.system());
    }

    private static WriterLease acquire(TableOptions options, String leaseFile, String owner, Duration ttl,
                                       Duration settle, Clock clock, Sleeper sleeper) {
        try {
            Path file = new Path(options.location() + "/" + leaseFile);
            FileSystem fs = file.getFileSystem(HadoopConfigurations.create(options.location(), options.hadoopProperties()));
            WriterLease lease = new WriterLease(fs, file, options.location(), owner, ttl, clock, sleeper, settle);
            lease.refuseTheOtherCoordination(leaseFile.equals(LEASE_FILE));
            JsonNode current = lease.read();
            if (current != null && Instant.parse(current.path("expiresAt").asText()).isAfter(clock.instant())) {
                if (!owner.equals(current.path("owner").asText())) {
                    throw lease.held(current);
                }
                lease.awaitOwnLeaseAbandoned(current);
            }
            Instant writtenAt = lease.write(clock.instant());
            lease.sleep(settle);
            JsonNode after = lease.read();
            if (after == null || !lease.token.equals(after.path("token").asText())) {
                throw after == null ? new WriterLeaseHeldException("the writer lease of " + options.location()
                        + " disappeared while it was being taken; another process is managing it")
                        : lease.held(after);
            }
            lease.validUntil = writtenAt.plus(ttl).minus(margin(ttl));
            lease.expiresAt = writtenAt.plus(ttl);
            return lease;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the writer lease of " + options.location() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * One table is written either by one lease holder or by writers with conditional puts, never by both: a lease
     * holder's log store does not use the condition, so its commits could replace theirs.
     */
    private void refuseTheOtherCoordination(boolean takingTheTableLease) throws IOException {
        Path tableLease = new Path(tableLocation + "/" + LEASE_FILE);
        Path instanceLeases = new Path(tableLocation + "/" + INSTANCE_LEASES);
        if (takingTheTableLease) {
            if (!fs.exists(instanceLeases)) {
                return;
            }
            for (org.apache.hadoop.fs.FileStatus status : fs.listStatus(instanceLeases)) {
                JsonNode other = read(status.getPath());
                if (other != null && Instant.parse(other.path("expiresAt").asText()).isAfter(clock.instant())) {
                    throw new WriterLeaseHeldException("table " + tableLocation + " is written by '"
                            + other.path("owner").asText() + "', which coordinates commits by conditional puts "
                            + "(lease renewed at " + other.path("renewedAt").asText() + "); this appliance is "
                            + "configured for the single-writer lease. Give every appliance of the table the same "
                            + "table.commit-coordination (auto, the default, on all of them).");
                }
            }
        } else {
            JsonNode holder = read(tableLease);
            if (holder != null && Instant.parse(holder.path("expiresAt").asText()).isAfter(clock.instant())) {
                throw new WriterLeaseHeldException("table " + tableLocation + " is written by '"
                        + holder.path("owner").asText() + "' under the single-writer lease (renewed at "
                        + holder.path("renewedAt").asText() + ", expires at " + holder.path("expiresAt").asText()
                        + "), whose commits do not use conditional puts; this appliance would share the table. Give "
                        + "every appliance of the table the same table.commit-coordination, or wait for the lease "
                        + "to expire if its holder is gone.");
            }
        }
    }

    /**
     * An unexpired lease under this owner's name: a predecessor that crashed (its renewals have stopped) or a
     * second live process with the same name (a copy of the configuration, a rolling update with surge). Waits
     * until the holder's next renewal is due, plus a grace period, and reads again: a renewal means it is alive and
     * this process is refused; no renewal means it is dead and its lease is taken over at once, without waiting for
     * it to expire.
     */
    private void awaitOwnLeaseAbandoned(JsonNode current) throws IOException {
        String heldToken = current.path("token").asText();
        String heldRenewal = current.path("renewedAt").asText();
        Instant renewedAt = Instant.parse(heldRenewal);
        Duration interval = current.has("renewIntervalMillis")
                ? Duration.ofMillis(current.path("renewIntervalMillis").asLong()) : ttl.dividedBy(3);
        Instant expiresAt = Instant.parse(current.path("expiresAt").asText());
        Instant decideAt = renewedAt.plus(interval).plus(RENEWAL_GRACE);
        if (decideAt.isAfter(expiresAt)) {
            decideAt = expiresAt;
        }
        Duration wait = Duration.between(clock.instant(), decideAt);
        if (!wait.isNegative()) {
            sleep(wait);
        }
        JsonNode now = read();
        if (now == null) {
            return; // released meanwhile
        }
        if (!heldToken.equals(now.path("token").asText()) || !heldRenewal.equals(now.path("renewedAt").asText())) {
            throw new WriterLeaseHeldException("table " + tableLocation + " is written by another live process "
                    + "under this appliance's own name '" + owner + "' (" + now.path("process").asText("unknown")
                    + ", lease renewed at " + now.path("renewedAt").asText() + "). Two processes with one "
                    + "instance-id would lose commits on object storage, so this one does not write. Stop the other "
                    + "process, or give this one its own instance-id.");
        }
    }

    /** How often the holder renews: a third of the time to live, at most every 5 s, at least every second. */
    public Duration renewInterval() {
        Duration third = ttl.dividedBy(3);
        Duration interval = third.compareTo(MAX_RENEW_INTERVAL) > 0 ? MAX_RENEW_INTERVAL : third;
        return interval.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : interval;
    }

    /**
     * Extends the lease by its time to live, if it is still this process's: read, write, read back (after the
     * settle time when the lease had expired). Thread-safe.
     *
     * @throws WriterLeaseHeldException if another process took it, or deleted it: stop writing
     * @throws UncheckedIOException if the storage cannot be reached; the lease stays valid until it would expire,
     *         and {@link #ensureValid()} renews it once storage answers
     */
    public synchronized void renew() {
        try {
            JsonNode current = read();
            if (current == null || !token.equals(current.path("token").asText())) {
                validUntil = Instant.EPOCH;
                throw current == null ? new WriterLeaseHeldException("the writer lease of " + tableLocation
                        + " was deleted by someone else; this appliance stops writing it") : held(current);
            }
            Instant now = clock.instant();
            // Once expired, another owner may be taking it right now: wait as a new holder would before trusting it.
            boolean expired = expiresAt == null || !now.isBefore(expiresAt);
            Instant writtenAt = write(now);
            if (expired) {
                sleep(settle);
            }
            JsonNode after = read();
            if (after == null || !token.equals(after.path("token").asText())) {
                validUntil = Instant.EPOCH;
                throw after == null ? new WriterLeaseHeldException("the writer lease of " + tableLocation
                        + " disappeared while it was being renewed; another process is managing it") : held(after);
            }
            validUntil = writtenAt.plus(ttl).minus(margin(ttl));
            expiresAt = writtenAt.plus(ttl);
            renewalFailure = null;
            failingSince = null;
        } catch (IOException e) {
            if (failingSince == null) {
                failingSince = clock.instant();
            }
            renewalFailure = e.getMessage() != null ? e.getMessage() : e.toString();
            throw new UncheckedIOException("cannot renew the writer lease of " + tableLocation + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Returns when this process may write: at once while the lease is valid, else after renewing it (the storage
     * was unreachable for longer than the lease's margin, and nobody took the lease meanwhile).
     *
     * @throws WriterLeaseHeldException if the lease was released, or another owner holds it (permanent)
     * @throws UncheckedIOException if the storage still cannot be reached (transient: try again later)
     */
    public void ensureValid() {
        if (released) {
            throw new WriterLeaseHeldException("this appliance released the writer lease of " + tableLocation
                    + "; no further writes are made");
        }
        if (!isValid()) {
            renew();
        }
    }

    /** Why renewals have been failing and since when, or empty while they succeed. */
    public java.util.Optional<String> renewalFailure() {
        String failure = renewalFailure;
        Instant since = failingSince;
        return failure == null ? java.util.Optional.empty()
                : java.util.Optional.of("renewals failing since " + since + ": " + failure
                        + (isValid() ? "" : "; not valid now, writes wait for the storage"));
    }

    /** Whether this process may still write: the lease is held and not about to expire. */
    public boolean isValid() {
        return !released && clock.instant().isBefore(validUntil);
    }

    /**
     * @throws WriterLeaseHeldException naming why, when {@link #isValid()} is false
     */
    public void checkValid() {
        if (!isValid()) {
            throw new WriterLeaseHeldException("this appliance no longer holds the writer lease of " + tableLocation
                    + (released ? " (released)" : " (not renewed since " + validUntil.plus(margin(ttl)).minus(ttl)
                    + "; another appliance may have taken it)") + "; no further writes are made");
        }
    }

    public String owner() {
        return owner;
    }

    /** The location of the table the lease is for. */
    public String tableLocation() {
        return tableLocation;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Gives the lease up (deletes the file if it is still this process's), so another writer need not wait. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            JsonNode current = read();
            if (current != null && token.equals(current.path("token").asText())) {
                fs.delete(file, false);
            }
        } catch (IOException e) {
            // It expires on its own.
        }
    }

    private WriterLeaseHeldException held(JsonNode current) {
        return new WriterLeaseHeldException("table " + tableLocation + " is written by '"
                + current.path("owner").asText() + "' (writer lease renewed at " + current.path("renewedAt").asText()
                + ", expires at " + current.path("expiresAt").asText() + "). On object storage two writers lose "
                + "commits, so this process does not write it. Stop the other writer, or wait for its lease to "
                + "expire if it crashed; give each appliance its own tables.");
    }

    private JsonNode read() throws IOException {
        return LeaseFile.read(fs, file);
    }

    private JsonNode read(Path path) throws IOException {
        return LeaseFile.read(fs, path);
    }

    private Instant write(Instant now) throws IOException {
        LeaseFile.write(fs, file, owner, token, PROCESS, now, ttl, renewInterval());
        return now;
    }

    /** Stop writing a little before expiry, so a holder that stalls stops before a successor starts. */
    private static Duration margin(Duration ttl) {
        return ttl.dividedBy(5);
    }

    private void sleep(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking the writer lease", e);
        }
    }
}
