package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.LakeTable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch ids of one pipeline instance ({@code <pipeline>@<instance>}): increasing, and always above every batch
 * id the tables already hold under that app id.
 *
 * <p>Batch ids must survive restarts: with a fixed instance id, a process that started again at 0 would send a
 * batch id below the committed one, which the table refuses, or equal to it, which the table skips as a replay.
 * So every run first moves the sequence past the highest id committed under the app id
 * ({@link #continueAfter}), in the main table and in every dead-letter table, and does so again whenever the table
 * skipped a batch. Thread-safe.
 */
final class BatchIdSequence {

    private static final Logger LOG = LoggerFactory.getLogger(BatchIdSequence.class);

    private final AtomicLong next = new AtomicLong();

    /** The id for the next batch; each call returns a new, higher one. */
    long next() {
        return next.getAndIncrement();
    }

    /** Makes the next id at least {@code committed + 1}. A committed id of -1 (nothing committed) changes nothing. */
    void continueAfter(long committed) {
        next.accumulateAndGet(committed + 1, Math::max);
    }

    /** The id {@link #next()} would return, without taking it. */
    long peek() {
        return next.get();
    }

    /**
     * Moves the ids past every batch committed under the pipeline instance's app id, in {@code table} and in
     * {@code deadLetters}: a restarted process with a fixed instance id continues its predecessor's numbering instead
     * of sending ids the table would refuse or skip.
     */
    void continueFromTables(PipelineSettings settings, LakeTable table, DeadLetterDestination deadLetters) {
        String appId = BatchCommit.batchAppId(settings.name(), settings.instanceId());
        long inTable = table.exists() ? table.txnVersion(appId) : -1;
        long inDeadLetters = deadLetters.lastBatchId(appId);
        long before = peek();
        continueAfter(Math.max(inTable, inDeadLetters));
        if (peek() != before) {
            LOG.info("pipeline {}: batch ids of {} continue at {} (table holds batch {}, dead letters batch {})",
                    settings.name(), appId, peek(), inTable, inDeadLetters);
        }
    }
}
