package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.table.KeyedMerge;
import dev.lakehouse.table.LakeTable;

/**
 * The merge a keyed pipeline applies its batches with, built in one place so that replayed dead letters are applied
 * exactly as ingestion applies records: the table's key, the version column, insert-only with its horizon, and soft
 * deletes.
 */
final class KeyedMerges {

    private KeyedMerges() {
    }

    /**
     * @throws IllegalArgumentException if a configured column is not one of the table's, or not of a usable type
     */
    static KeyedMerge of(PipelineSettings settings, LakeTable table) {
        KeyedMerge merge = new KeyedMerge(table, TableKey.of(settings, table.snapshot(), table.location()),
                settings.keys().versionColumn(), settings.keys().insertOnly(),
                settings.keys().softDeletes() ? ChangeColumns.DELETED : null);
        return settings.keys().dedupeHorizon() == null ? merge
                : merge.withDedupeHorizon(settings.keys().dedupeHorizon());
    }
}
