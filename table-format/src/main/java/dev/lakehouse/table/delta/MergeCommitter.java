package dev.lakehouse.table.delta;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.MergeCommit;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.RewriteConflictException;
import dev.lakehouse.table.TableOptions;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.SetTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A {@link MergeCommit} as one {@link CommitLoop} change: the batch's checks ({@link BatchCommitRules}), then its
 * removed files must all be live in the attempt's snapshot; removes, adds and transaction ids in one commit
 * recorded as Delta's {@code MERGE}. After an unknown outcome it landed if the batch id did (as a batch).
 */
final class MergeCommitter implements CommitLoop.Change<CommitOutcome> {

    private final MergeCommit merge;
    private final BatchCommitter asBatch;
    private final DeltaLog log;
    private final TableOptions options;
    private final String location;

    MergeCommitter(MergeCommit merge, DeltaLog log, TableOptions options, String location) {
        this.merge = merge;
        this.asBatch = new BatchCommitter(merge.batch(), log, options, location);
        this.log = log;
        this.options = options;
        this.location = location;
    }

    @Override
    public String description() {
        return "merge of " + asBatch.description();
    }

    @Override
    public CommitLoop.Step<CommitOutcome> prepare(OptimisticTransaction txn) {
        BatchCommit batch = merge.batch();
        Optional<CommitOutcome> skip = BatchCommitRules.check(batch, txn::txnVersion, location);
        if (skip.isPresent()) {
            return new CommitLoop.Step.Done<>(skip.get());
        }
        Map<String, AddFile> live = new HashMap<>();
        for (AddFile add : log.snapshot().getAllFiles()) {
            live.put(add.getPath(), add);
        }
        List<String> missing = merge.removed().stream().map(DataFile::path).filter(p -> !live.containsKey(p)).toList();
        if (!missing.isEmpty()) {
            throw new RewriteConflictException(description() + " of " + location + " not committed: " + missing.size()
                    + " of the " + merge.removed().size() + " files it rewrites were removed by another commit (for "
                    + "example " + missing.get(0) + "); plan it again", missing);
        }
        // A file added since the plan that can hold one of this merge's keys (another writer's merge of the same
        // key, or its insert): committing now could leave two rows for a key, so plan again on what it holds.
        List<String> added = live.values().stream()
                .filter(a -> !merge.filesRead().contains(a.getPath()))
                .filter(a -> merge.mayHoldAKey().test(a.getStats()))
                .map(AddFile::getPath).toList();
        if (!added.isEmpty()) {
            throw new RewriteConflictException(description() + " of " + location + " not committed: another commit "
                    + "added " + added.size() + " files that may hold its keys (for example " + added.get(0)
                    + "); plan it again", added);
        }
        long now = options.clock().millis();
        List<Action> actions = new ArrayList<>();
        for (DataFile removed : merge.removed()) {
            actions.add(live.get(removed.path()).remove(now, true));
        }
        for (DataFile f : batch.files()) {
            actions.add(new AddFile(f.path(), f.partitionValues(), f.sizeBytes(), f.modificationTime(), true,
                    DeltaLogJson.statsValue(f.statsJson()), null));
        }
        actions.add(new SetTransaction(batch.batchAppId(), batch.batchId(), Optional.of(now)));
        for (OffsetRange range : batch.offsets()) {
            actions.add(new SetTransaction(range.appId(batch.pipeline()), range.nextOffset(), Optional.of(now)));
        }
        return new CommitLoop.Step.Commit<>(actions, operation());
    }

    @Override
    public CommitOutcome committed(long version) {
        return asBatch.committed(version);
    }

    @Override
    public Optional<CommitOutcome> landedDespite(Exception failure) {
        return asBatch.landedDespite(failure);
    }

    private Operation operation() {
        BatchCommit batch = merge.batch();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("predicate", DeltaLogJson.parameter(merge.keyColumns().stream()
                .map(c -> "target." + c + " = source." + c).collect(Collectors.joining(" AND "))));
        params.put("matchedPredicates", DeltaLogJson.parameter("[{\"actionType\":\"update\"},{\"actionType\":\"delete\"}]"));
        params.put("notMatchedPredicates", DeltaLogJson.parameter("[{\"actionType\":\"insert\"}]"));
        BatchCommitter.putBatchParameters(batch, params);
        Map<String, String> metrics = new LinkedHashMap<>(merge.metrics());
        metrics.putIfAbsent("numTargetFilesAdded", Integer.toString(batch.files().size()));
        metrics.putIfAbsent("numTargetFilesRemoved", Integer.toString(merge.removed().size()));
        metrics.putIfAbsent("numOutputRows", Long.toString(batch.numRecords()));
        return new Operation(Operation.Name.MERGE, params, metrics);
    }
}
