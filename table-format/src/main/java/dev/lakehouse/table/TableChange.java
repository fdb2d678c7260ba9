package dev.lakehouse.table;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One change to a table, as an object: every write to a {@link LakeTable} is one of these, applied by
 * {@link LakeTable#apply}, so a decorator that guards writes (the writer lease, {@link LeasedLakeTable}) wraps that
 * one method, and a new kind of commit is a new change type rather than a new method on every implementation.
 * Each type documents its guarantees and failures on the {@link LakeTable} method that builds it.
 *
 * @param <R> what applying it returns
 */
public sealed interface TableChange<R> permits BatchCommit, FileRewrite, MergeCommit, TableChange.Create,
        TableChange.EvolveSchema, TableChange.RecordSourceFacts, TableChange.Vacuum {

    /** Whether applying it writes to the table's storage; a guard lets the others through unchecked. */
    default boolean writes() {
        return true;
    }

    /**
     * Creates the table unless it exists ({@link LakeTable#createIfAbsent(Schema, String, List)}).
     *
     * @param writerSchemaRef the writer schema's identity for the history, empty when unknown
     * @param keyColumns a keyed table's key columns, recorded in the table ({@link TableSnapshot#keyColumns()});
     *        empty for a table that appends
     */
    record Create(Schema avroSchema, String writerSchemaRef, List<String> keyColumns)
            implements TableChange<TableSnapshot> {
        public Create {
            Objects.requireNonNull(avroSchema, "avroSchema");
            Objects.requireNonNull(writerSchemaRef, "writerSchemaRef");
            keyColumns = List.copyOf(keyColumns);
        }
    }

    /** Adds a writer schema's new fields as columns ({@link LakeTable#evolveSchema(Schema, String)}). */
    record EvolveSchema(Schema writerSchema, String writerSchemaRef) implements TableChange<TableSnapshot> {
        public EvolveSchema {
            Objects.requireNonNull(writerSchema, "writerSchema");
            Objects.requireNonNull(writerSchemaRef, "writerSchemaRef");
        }
    }

    /** Records facts about the table's sources beside it ({@link LakeTable#recordSourceFacts}). */
    record RecordSourceFacts(Map<SourceFact, String> facts) implements TableChange<Void> {
        public RecordSourceFacts {
            facts = Map.copyOf(facts);
        }
    }

    /** Deletes files no version within the retention needs ({@link LakeTable#vacuum}); a dry run only lists. */
    record Vacuum(Duration retention, boolean dryRun) implements TableChange<VacuumResult> {
        public Vacuum {
            Objects.requireNonNull(retention, "retention");
        }

        @Override
        public boolean writes() {
            return !dryRun;
        }
    }
}
