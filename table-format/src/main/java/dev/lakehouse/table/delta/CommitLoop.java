package dev.lakehouse.table.delta;

import dev.lakehouse.table.CommitFailedException;
import dev.lakehouse.table.CommitOutcomeUnknownException;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.storage.LocalCommitLock;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.exceptions.DeltaConcurrentModificationException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one optimistic commit loop every change to a table goes through (batches, file rewrites, table creation,
 * schema changes): each attempt starts a transaction on the latest snapshot, lets the change check and prepare
 * itself against it, and commits.
 *
 * <ul>
 *   <li>A concurrent-modification conflict is retried: the next attempt's checks see the other commit.</li>
 *   <li>Any other failure of the commit call has an unknown outcome (the log file may be durable although the
 *       call threw, for example in the post-commit checkpoint), so the change is asked whether it landed before
 *       anything is tried again; a change that landed is never committed twice.</li>
 *   <li>After {@link TableOptions#commitAttempts()} failed attempts the change is known absent:
 *       {@link CommitFailedException}.</li>
 * </ul>
 * On local disk each commit call holds the table's {@link LocalCommitLock}.
 */
final class CommitLoop {

    private static final Logger LOG = LoggerFactory.getLogger(CommitLoop.class);

    /** One kind of change, as the loop drives it. */
    interface Change<T> {
        /** What is committed, for logs and errors ({@code batch 7 of orders/a}). */
        String description();

        /**
         * Checks the change against the transaction's snapshot and says what to do. Exceptions thrown here end
         * the loop (they are the change's own refusals, such as a stale batch).
         */
        Step<T> prepare(OptimisticTransaction txn);

        /** The result of the change committed as {@code version}. */
        T committed(long version);

        /**
         * After a commit call threw with an unknown outcome: the result if the log shows the change landed, empty
         * if it did not (or when the next attempt's {@link #prepare} finds out by itself).
         *
         * @throws CommitOutcomeUnknownException if the log cannot be read to tell
         */
        Optional<T> landedDespite(Exception failure);
    }

    /** What one attempt does. */
    sealed interface Step<T> {
        /** Nothing to commit: the change's result is known already (a replay, an existing table). */
        record Done<T>(T result) implements Step<T> {
        }

        /** Commit these actions under this operation. */
        record Commit<T>(List<? extends Action> actions, Operation operation) implements Step<T> {
        }
    }

    private final DeltaLog log;
    private final LocalCommitLock commitLock;
    private final TableOptions options;
    private final String location;
    private volatile Runnable beforeEachAttempt = () -> { };

    CommitLoop(DeltaLog log, LocalCommitLock commitLock, TableOptions options, String location) {
        this.log = log;
        this.commitLock = commitLock;
        this.options = options;
        this.location = location;
    }

    /** Runs {@code check} before every attempt writes anything; what it throws ends the loop. */
    void beforeEachAttempt(Runnable check) {
        this.beforeEachAttempt = check;
    }

    /** Runs the change to its end: a result, or one of the exceptions the class comment names. */
    <T> T run(Change<T> change) {
        Exception lastError = null;
        for (int attempt = 1; attempt <= options.commitAttempts(); attempt++) {
            OptimisticTransaction txn = log.startTransaction();
            Step<T> step = change.prepare(txn);
            if (step instanceof Step.Done<T> done) {
                return done.result();
            }
            Step.Commit<T> commit = (Step.Commit<T>) step;
            beforeEachAttempt.run();
            try {
                long version = LocalCommitLock.around(commitLock, () -> txn.commit(commit.actions(),
                        commit.operation(), options.engineInfo())).getVersion();
                return change.committed(version);
            } catch (DeltaConcurrentModificationException e) {
                lastError = e;
                LOG.info("table {}: {} conflicted with a concurrent commit (attempt {}): {}", location,
                        change.description(), attempt, e.getMessage());
            } catch (Exception e) {
                // Scala code throws checked exceptions undeclared (FileAlreadyExistsException from the checkpoint),
                // hence Exception and not RuntimeException.
                lastError = e;
                LOG.warn("table {}: {} threw (attempt {}); checking the log before retrying", location,
                        change.description(), attempt, e);
                Optional<T> landed = change.landedDespite(e);
                if (landed.isPresent()) {
                    return landed.get();
                }
            }
        }
        throw new CommitFailedException(change.description() + " could not be committed to " + location + " in "
                + options.commitAttempts() + " attempts; nothing changed: "
                + (lastError == null ? "" : lastError.getMessage()), lastError);
    }
}
