package dev.lakehouse.table.delta;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.CommitOutcomeUnknownException;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.SetTransaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A batch as one {@link CommitLoop} change: its files, its batch id and its partitions' next offsets as
 * transaction ids, checked for replays and gaps inside each attempt's transaction (see {@link LakeTable#commit}).
 */
final class BatchCommitter implements CommitLoop.Change<CommitOutcome> {

    private final BatchCommit batch;
    private final DeltaLog log;
    private final TableOptions options;
    private final String location;

    BatchCommitter(BatchCommit batch, DeltaLog log, TableOptions options, String location) {
        this.batch = batch;
        this.log = log;
        this.options = options;
        this.location = location;
    }

    @Override
    public String description() {
        return "batch " + batch.batchId() + " of " + batch.batchAppId();
    }

    @Override
    public CommitLoop.Step<CommitOutcome> prepare(OptimisticTransaction txn) {
        // Inside the committing transaction, so the checks see what it will commit on.
        Optional<CommitOutcome> skip = BatchCommitRules.check(batch, txn::txnVersion, location);
        if (skip.isPresent()) {
            return new CommitLoop.Step.Done<>(skip.get());
        }
        return new CommitLoop.Step.Commit<>(actions(), operation());
    }

    @Override
    public CommitOutcome committed(long version) {
        return new CommitOutcome(CommitOutcome.Status.COMMITTED, version, "");
    }

    /** The batch landed if the table's batch id for this app id reached it. */
    @Override
    public Optional<CommitOutcome> landedDespite(Exception failure) {
        long committed;
        try {
            log.update();
            committed = log.startTransaction().txnVersion(batch.batchAppId());
        } catch (RuntimeException reloadFailure) {
            reloadFailure.addSuppressed(failure);
            throw new CommitOutcomeUnknownException("commit of batch " + batch.batchId() + " to " + location
                    + " threw and the table cannot be reloaded to check it: " + reloadFailure.getMessage()
                    + ". Retry the same batch when storage is back.", reloadFailure);
        }
        if (committed >= batch.batchId()) {
            return Optional.of(new CommitOutcome(CommitOutcome.Status.COMMITTED, log.snapshot().getVersion(),
                    "committed; the commit call threw afterwards: " + failure));
        }
        return Optional.empty();
    }

    private List<Action> actions() {
        List<Action> actions = new ArrayList<>();
        for (DataFile f : batch.files()) {
            actions.add(new AddFile(f.path(), f.partitionValues(), f.sizeBytes(), f.modificationTime(), true,
                    DeltaLogJson.statsValue(f.statsJson()), null));
        }
        long now = options.clock().millis();
        actions.add(new SetTransaction(batch.batchAppId(), batch.batchId(), Optional.of(now)));
        for (OffsetRange range : batch.offsets()) {
            actions.add(new SetTransaction(range.appId(batch.pipeline()), range.nextOffset(), Optional.of(now)));
        }
        return actions;
    }

    private Operation operation() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("outputMode", DeltaLogJson.parameter("Append"));
        putBatchParameters(batch, params);
        Map<String, String> metrics = new LinkedHashMap<>();
        metrics.put("numAddedFiles", Integer.toString(batch.files().size()));
        metrics.put("numOutputRows", Long.toString(batch.numRecords()));
        metrics.put("numOutputBytes", Long.toString(batch.sizeBytes()));
        return new Operation(Operation.Name.STREAMING_UPDATE, params, metrics);
    }

    /**
     * The parameters every batch's commit records in the history (as a merge's does too): the query id and epoch
     * id Spark's streaming writes use for the batch, the pipeline, the Kafka offsets, and the batch's own.
     */
    static void putBatchParameters(BatchCommit batch, Map<String, String> params) {
        params.put("queryId", DeltaLogJson.parameter(batch.batchAppId()));
        params.put("epochId", DeltaLogJson.parameter(Long.toString(batch.batchId())));
        params.put("pipeline", DeltaLogJson.parameter(batch.pipeline()));
        List<Map<String, Object>> offsets = new ArrayList<>();
        for (OffsetRange r : batch.offsets()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("topic", r.topic());
            o.put("partition", r.partition());
            o.put("startOffset", r.startOffset());
            o.put("nextOffset", r.nextOffset());
            offsets.add(o);
        }
        params.put("offsets", DeltaLogJson.parameter(DeltaLogJson.json(offsets)));
        batch.parameters().forEach((k, v) -> params.put(k, DeltaLogJson.parameter(v)));
    }
}
