package dev.lakehouse.table;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Files to swap in one commit: {@code removed} leave the table and {@code added} enter it, atomically.
 *
 * <p>With {@code dataChange = false} (compaction: the same rows in fewer files) streaming readers of the table
 * skip the commit and concurrent appends never conflict with it. With {@code dataChange = true} (rows changed,
 * such as dead letters marked replayed) readers see an update.
 *
 * @param removed live files of the table to remove
 * @param added complete files, already on storage, to add
 * @param dataChange whether the rows change (see above)
 * @param operation the history's operation name: {@code UPDATE} for changed rows, anything else is recorded as a
 *        {@code Manual Update} whose {@code operation} parameter holds the name (for example {@code OPTIMIZE})
 * @param parameters extra operation parameters shown in the table history
 * @param metrics operation metrics shown in the table history
 */
public record FileRewrite(List<DataFile> removed, List<DataFile> added, boolean dataChange, String operation,
                          Map<String, String> parameters, Map<String, String> metrics) implements TableChange<Long> {
    public FileRewrite {
        removed = List.copyOf(removed);
        added = List.copyOf(added);
        Objects.requireNonNull(operation, "operation");
        parameters = Map.copyOf(parameters);
        metrics = Map.copyOf(metrics);
        if (removed.isEmpty() && added.isEmpty()) {
            throw new IllegalArgumentException("a rewrite must remove or add at least one file");
        }
    }
}
