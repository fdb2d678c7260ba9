package dev.lakehouse.table.delta;

import dev.lakehouse.table.CommitOutcomeUnknownException;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.FileRewrite;
import dev.lakehouse.table.RewriteConflictException;
import dev.lakehouse.table.TableOptions;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link FileRewrite} as one {@link CommitLoop} change: its removed files must all be live in the attempt's
 * snapshot (else {@link RewriteConflictException}, nothing committed); after an unknown outcome it landed when its
 * added files are live and its removed ones gone.
 */
final class FileRewriteCommitter implements CommitLoop.Change<Long> {

    private final FileRewrite rewrite;
    private final DeltaLog log;
    private final TableOptions options;
    private final String location;

    FileRewriteCommitter(FileRewrite rewrite, DeltaLog log, TableOptions options, String location) {
        this.rewrite = rewrite;
        this.log = log;
        this.options = options;
        this.location = location;
    }

    @Override
    public String description() {
        return rewrite.operation();
    }

    @Override
    public CommitLoop.Step<Long> prepare(OptimisticTransaction txn) {
        Map<String, AddFile> live = new HashMap<>();
        for (AddFile add : log.snapshot().getAllFiles()) {
            live.put(add.getPath(), add);
        }
        // A conflict with a concurrent delete lands here on the next attempt, which names the files now gone.
        List<String> missing = rewrite.removed().stream().map(DataFile::path).filter(p -> !live.containsKey(p)).toList();
        if (!missing.isEmpty()) {
            throw new RewriteConflictException(rewrite.operation() + " of " + location + " not committed: "
                    + missing.size() + " of its " + rewrite.removed().size() + " files were removed by another "
                    + "commit (for example " + missing.get(0) + ")", missing);
        }
        long now = options.clock().millis();
        List<Action> actions = new ArrayList<>();
        for (DataFile removed : rewrite.removed()) {
            actions.add(live.get(removed.path()).remove(now, rewrite.dataChange()));
        }
        for (DataFile f : rewrite.added()) {
            actions.add(new AddFile(f.path(), f.partitionValues(), f.sizeBytes(), f.modificationTime(),
                    rewrite.dataChange(), DeltaLogJson.statsValue(f.statsJson()), null));
        }
        return new CommitLoop.Step.Commit<>(actions, operation());
    }

    @Override
    public Long committed(long version) {
        return version;
    }

    @Override
    public Optional<Long> landedDespite(Exception failure) {
        Snapshot snapshot;
        try {
            snapshot = log.update();
        } catch (RuntimeException e) {
            e.addSuppressed(failure);
            throw new CommitOutcomeUnknownException(rewrite.operation() + " of " + location + " threw and the "
                    + "table cannot be reloaded to check it: " + e.getMessage(), e);
        }
        Set<String> live = new HashSet<>();
        snapshot.getAllFiles().forEach(a -> live.add(a.getPath()));
        boolean added = rewrite.added().stream().allMatch(f -> live.contains(f.path()));
        boolean removed = rewrite.removed().stream().noneMatch(f -> live.contains(f.path()));
        return added && removed ? Optional.of(snapshot.getVersion()) : Optional.empty();
    }

    private Operation operation() {
        Map<String, String> params = new LinkedHashMap<>();
        Operation.Name name = Operation.Name.UPDATE;
        if (!rewrite.operation().equals("UPDATE")) {
            name = Operation.Name.MANUAL_UPDATE;
            params.put("operation", DeltaLogJson.parameter(rewrite.operation()));
        }
        rewrite.parameters().forEach((k, v) -> params.put(k, DeltaLogJson.parameter(v)));
        Map<String, String> metrics = new LinkedHashMap<>(rewrite.metrics());
        metrics.putIfAbsent("numRemovedFiles", Integer.toString(rewrite.removed().size()));
        metrics.putIfAbsent("numAddedFiles", Integer.toString(rewrite.added().size()));
        metrics.putIfAbsent("numRemovedBytes", Long.toString(rewrite.removed().stream().mapToLong(DataFile::sizeBytes).sum()));
        metrics.putIfAbsent("numAddedBytes", Long.toString(rewrite.added().stream().mapToLong(DataFile::sizeBytes).sum()));
        return new Operation(name, params, metrics);
    }
}
