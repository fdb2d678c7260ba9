package dev.lakehouse.console;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetAudit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's offset audits ({@link OffsetAudit}, the log half of {@code lakehouse audit}): per table the last
 * result, run in the background on one thread so a page never waits for a long log and at most one audit reads
 * storage at a time. An audit starts when a table's audit is asked for and there is none yet, or the last is older
 * than {@link #RENEW_AFTER} and the table has committed since. Memory is one report per table (a line per
 * partition).
 */
final class TableAudits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TableAudits.class);
    /** A finished audit is renewed on request at most this often, and only when the table moved on. */
    static final Duration RENEW_AFTER = Duration.ofMinutes(1);

    /**
     * One table's audit.
     *
     * @param running whether an audit is under way (the other fields then are the previous one's, if any)
     * @param finishedAt when the last audit ended, null before the first
     * @param report its report, null before the first or when it failed
     * @param error why it failed, null when it did not
     */
    record Audit(boolean running, Instant startedAt, Instant finishedAt, OffsetAudit.Report report, String error) {
    }

    private final Clock clock;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "lakehouse-console-audit");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Audit> audits = new ConcurrentHashMap<>();

    TableAudits(Clock clock) {
        this.clock = clock;
    }

    /** The table's latest audit, starting one first when there is none yet or the last is stale. */
    Audit latest(String name, LakeTable table) {
        Audit[] started = new Audit[1];
        Audit current = audits.compute(name, (key, last) -> {
            if (last != null && (last.running() || !stale(last, table))) {
                return last;
            }
            started[0] = new Audit(true, clock.instant(), last == null ? null : last.finishedAt(),
                    last == null ? null : last.report(), last == null ? null : last.error());
            return started[0];
        });
        if (started[0] != null) {
            try {
                runner.execute(() -> run(name, table, started[0].startedAt()));
            } catch (RejectedExecutionException closing) {
                audits.remove(name);
            }
        }
        return current;
    }

    private boolean stale(Audit last, LakeTable table) {
        if (last.finishedAt() == null) {
            return true;
        }
        if (last.finishedAt().plus(RENEW_AFTER).isAfter(clock.instant())) {
            return false;
        }
        try {
            return last.report() == null || table.snapshot().version() > last.report().toVersion();
        } catch (RuntimeException e) {
            return true; // no table yet, or storage not answering: worth asking again
        }
    }

    private void run(String name, LakeTable table, Instant startedAt) {
        OffsetAudit.Report report = null;
        String error = null;
        try {
            if (table.exists()) {
                report = OffsetAudit.audit(table, 0);
            } else {
                error = "no table at " + table.location() + " yet: nothing to audit";
            }
        } catch (RuntimeException e) {
            LOG.warn("console: the audit of {} failed", name, e);
            error = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        audits.put(name, new Audit(false, startedAt, clock.instant(), report, error));
    }

    /** Forgets a retired table's audit. */
    void forget(String name) {
        audits.remove(name);
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
