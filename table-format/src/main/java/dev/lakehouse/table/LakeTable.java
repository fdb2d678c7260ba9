package dev.lakehouse.table;

import dev.lakehouse.table.delta.DeltaLakeTable;
import java.util.List;
import org.apache.avro.Schema;

/**
 * A Delta Lake table the appliance writes.
 *
 * <p><strong>Commit protocol.</strong> {@link #commit} writes a batch's files and Kafka offsets in one Delta
 * commit, keyed by the batch id, so a batch is in the table entirely or not at all, and at most once:
 * <ul>
 *   <li>a batch id equal to the committed one is a replay: skipped and reported ({@code DUPLICATE_BATCH});</li>
 *   <li>a lower one is refused ({@link StaleBatchException});</li>
 *   <li>a partition range starting below the table's next offset is already in: skipped
 *       ({@code REPLAYED_OFFSETS}); one starting above it would lose records: refused
 *       ({@link OffsetGapException}).</li>
 * </ul>
 * Concurrent modifications are retried (the checks run again in each attempt). A commit that throws has an
 * unknown outcome, so the table is reloaded and the batch id checked before any retry. Every change (batches,
 * rewrites, creation, schema changes) goes through that one commit loop.
 *
 * <p><strong>Failures</strong> are {@link TableException}s, one subtype per meaning, each saying whether a retry
 * can help: {@link CommitOutcomeUnknownException} (storage unreachable: retry), {@link CommitFailedException}
 * (known absent: retry as a whole), {@link StaleBatchException}, {@link OffsetGapException},
 * {@link RewriteConflictException}, {@link TableNotFoundException}, {@link PartitioningMismatchException},
 * {@link NotCreatedByApplianceException}, {@link SchemaMappingException}, {@link IncompatibleSchemaChangeException}.
 *
 * <p>Thread-safe; one instance per table per JVM (it holds the table's log).
 */
public interface LakeTable {

    /** Opens (does not create) the table at the options' location, reading its log if it exists. */
    static LakeTable open(TableOptions options) {
        return new DeltaLakeTable(options);
    }

    /** The table's location URI. */
    String location();

    /** Whether the table exists (its log has a first version). */
    boolean exists();

    /**
     * Creates the table with this schema (normalized, see {@link TableSchemas}), the options' partition spec and
     * table properties, unless it exists. Safe against concurrent creators: the loser sees the winner's table.
     *
     * @return the table's snapshot after creation (or the existing one)
     * @throws SchemaMappingException if the schema cannot be a table schema, or a partition field is unusable
     * @throws PartitioningMismatchException if the table exists with a different partitioning than the options say
     * @throws NotCreatedByApplianceException if a table exists there that the appliance did not create
     */
    default TableSnapshot createIfAbsent(Schema avroSchema) {
        return apply(new TableChange.Create(avroSchema, "", List.of()));
    }

    /**
     * {@link #createIfAbsent(Schema)}, recording in the history which writer schema the table was made from.
     *
     * @param writerSchemaRef the writer schema's identity, such as {@code registry id 7}; empty when unknown
     */
    default TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef) {
        return apply(new TableChange.Create(avroSchema, writerSchemaRef, List.of()));
    }

    /**
     * {@link #createIfAbsent(Schema, String)} for a keyed table: its key columns are recorded in the table's
     * properties ({@link TableSnapshot#keyColumns()}), so every writer and every later run merges by the same key
     * even when no configuration names it (a key taken from the Kafka key). When the table exists, nothing is
     * changed: the returned snapshot says which key it was created with (possibly by another writer).
     *
     * @throws SchemaMappingException also when a key column is not a top-level column of the schema
     */
    default TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef, List<String> keyColumns) {
        return apply(new TableChange.Create(avroSchema, writerSchemaRef, keyColumns));
    }

    /**
     * The latest snapshot.
     *
     * @throws TableNotFoundException if the table does not exist
     */
    TableSnapshot snapshot();

    /** The newest {@code limit} history entries, newest first. Empty for a table that does not exist. */
    List<TableCommit> history(int limit);

    /**
     * Every history entry from {@code fromVersion} on (or from the oldest the log retains, if later), oldest first,
     * read in one pass over the log: for audits of long histories. Empty for a table that does not exist.
     */
    default List<TableCommit> historySince(long fromVersion) {
        List<TableCommit> newestFirst = history(Integer.MAX_VALUE);
        List<TableCommit> oldestFirst = new java.util.ArrayList<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            if (newestFirst.get(i).version() >= fromVersion) {
                oldestFirst.add(newestFirst.get(i));
            }
        }
        return oldestFirst;
    }

    /**
     * The version of a transaction id in the latest snapshot: a batch app id's last batch id, or a partition's
     * next offset ({@link OffsetRange#appId}). -1 when the table has none.
     */
    long txnVersion(String appId);

    /**
     * {@link #txnVersion} of several ids, all from one snapshot (one log read, however many ids: an assignment of
     * hundreds of partitions reads the table once).
     *
     * @return each id's version, -1 for those the table has none of
     */
    default java.util.Map<String, Long> txnVersions(java.util.Collection<String> appIds) {
        java.util.Map<String, Long> versions = new java.util.LinkedHashMap<>();
        appIds.forEach(id -> versions.put(id, txnVersion(id)));
        return versions;
    }

    /**
     * Facts about the table's sources recorded with {@link #recordSourceFacts} (where a partition without offsets
     * starts, which Kafka topic id a topic name had).
     *
     * @return the recorded value of each key that has one
     * @throws java.io.UncheckedIOException if the storage cannot be read (transient)
     */
    java.util.Map<SourceFact, String> sourceFacts(java.util.Collection<SourceFact> facts);

    /**
     * Records facts about the table's sources durably, beside the log ({@code _lakehouse/source-facts/}, hidden
     * from readers and vacuum), whether or not the table exists yet: for example where partitions the table has no
     * offsets for start, before any of their records is read, so a start position such as {@code latest} is
     * decided once. The given keys are replaced, other keys kept. Safe with several processes recording at once
     * (each record is a file of its own, never overwritten); not part of a Delta commit.
     *
     * @throws java.io.UncheckedIOException if the storage cannot be written (transient)
     */
    default void recordSourceFacts(java.util.Map<SourceFact, String> facts) {
        apply(new TableChange.RecordSourceFacts(facts));
    }

    /**
     * Adds the writer schema's new fields (top level or nested) as nullable columns, and new enum symbols, in one
     * commit ({@code ADD COLUMNS}). Nothing is committed when the table already covers the writer schema.
     *
     * @return the snapshot after the change
     * @throws IncompatibleSchemaChangeException if the writer schema changes a column's type incompatibly
     * @throws CommitFailedException if every attempt failed; nothing was committed
     */
    default TableSnapshot evolveSchema(Schema writerSchema) {
        return apply(new TableChange.EvolveSchema(writerSchema, ""));
    }

    /**
     * {@link #evolveSchema(Schema)}, recording in the history which writer schema caused the change.
     *
     * @param writerSchemaRef the writer schema's identity, such as {@code registry id 7}; empty when unknown
     */
    default TableSnapshot evolveSchema(Schema writerSchema, String writerSchemaRef) {
        return apply(new TableChange.EvolveSchema(writerSchema, writerSchemaRef));
    }

    /**
     * The schema history, oldest first: the creation and every change that added columns, with the columns each
     * added and the writer schema behind it. Versions older than the log retention are not listed.
     */
    List<SchemaChange> schemaHistory();

    /**
     * Reads the rows of one of the table's data files, in the current table schema (see {@link RowReader}).
     *
     * @throws TableNotFoundException if the table does not exist
     */
    RowReader openRows(DataFile file);

    /**
     * Reads only {@code columns} (top-level, by name) of one of the table's data files: the other columns' pages
     * are neither read nor decompressed, so a summary over large values (a dead letter's payload) costs what the
     * named columns cost. Records have just those fields, in the table's order; a name the table lacks is ignored.
     *
     * @throws TableNotFoundException if the table does not exist
     */
    default RowReader openRows(DataFile file, java.util.Set<String> columns) {
        throw new UnsupportedOperationException("this table reads whole rows only");
    }

    /**
     * Whether one of the table's data files may hold a row of one of {@code keys}, by the Parquet bloom filters a
     * keyed table's files have on its key columns: reads the file's footer and filters, not its rows. False only
     * when the filters rule out every key; true for a file without filters. The default has no filters to read.
     *
     * @param keys each key's values, in the order of {@code keyColumns}, as {@link KeyedMerge} compares them
     *             (longs for integer columns, strings for text)
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    default boolean mayHoldAnyKey(DataFile file, List<String> keyColumns, java.util.Collection<List<Object>> keys) {
        return true;
    }

    /**
     * Reads the rows of several of the table's data files in the current table schema, on up to
     * {@code parallelism} threads that open and decode files ahead of the caller; rows come in no particular order
     * across files, and at most a few thousand rows per thread are held at once. The schema and the read settings
     * are set up once for all the files. Close it (closing early stops the threads).
     *
     * @throws TableNotFoundException if the table does not exist
     */
    default RowReader openRows(List<DataFile> files, int parallelism) {
        return new ParallelRowReader(files, this::openRows, 1);
    }

    /**
     * Copies the rows of {@code files}, all of one partition, into new data files of the table's current schema,
     * rolled at the target file size, and returns them complete with statistics but <em>not committed</em> (commit
     * them with {@link #rewrite}). Files that have the current schema are copied column by column (values decoded
     * and encoded again, no records built); files written before a schema change are read as records with the new
     * columns null. Rows come out in no particular order.
     *
     * <p>{@code writers} output streams are written at once, each by its own thread, so the result has up to
     * {@code writers - 1} more files than one stream would leave (each stream's last file is partial);
     * {@code readers} threads open and decompress the files ahead of them. All or nothing: on any failure every
     * file written is deleted (best effort; leftovers are orphans for vacuum) and the failure is thrown.
     *
     * <p>This implementation writes the records of {@link #openRows(List, int)} through one
     * {@link #newDataFileWriter()}; a table that can copy columns overrides it.
     *
     * @throws TableNotFoundException if the table does not exist
     * @throws java.io.UncheckedIOException if a file cannot be read or written
     */
    default List<DataFile> copyRows(List<DataFile> files, int writers, int readers) {
        DataFileWriter writer = newDataFileWriter();
        try (RowReader rows = openRows(files, readers)) {
            for (org.apache.avro.generic.GenericRecord row = rows.next(); row != null; row = rows.next()) {
                writer.write(row);
            }
            List<DataFile> written = writer.finish();
            writer = null;
            return written;
        } finally {
            if (writer != null) {
                writer.abort();
            }
        }
    }

    /**
     * Removes and adds files in one commit (see {@link FileRewrite}). Concurrent appends never make it fail;
     * concurrent metadata changes are retried.
     *
     * @return the committed version
     * @throws RewriteConflictException if a file to remove is no longer live; nothing was committed
     * @throws CommitFailedException if every attempt failed and nothing was committed
     */
    default long rewrite(FileRewrite rewrite) {
        return apply(rewrite);
    }

    /**
     * The table's options: location, partitioning, target file size, codec, clock.
     */
    TableOptions options();

    /**
     * Deletes files under the table root that no version within the retention window needs: files neither live in
     * the latest snapshot nor removed less than {@code retention} ago, and older than {@code retention} themselves
     * (so files of a batch being written now, not yet committed, are never touched). That includes files removed
     * by compaction and orphans of failed batches. The log ({@code _delta_log}) and hidden files are left alone.
     * Time travel to versions older than the retention stops working for their removed files.
     *
     * @param retention how long removed and unreferenced files are kept; callers enforce a sane minimum
     * @param dryRun list only
     * @throws java.io.UncheckedIOException if listing or deleting fails (files deleted so far stay deleted,
     *         which is safe: they were not needed)
     */
    default VacuumResult vacuum(java.time.Duration retention, boolean dryRun) {
        return apply(new TableChange.Vacuum(retention, dryRun));
    }

    /** The version of the latest log checkpoint, or -1 when there is none yet. */
    long lastCheckpointVersion();

    /**
     * A writer of data files for the table's current schema. Records must be of that schema.
     *
     * @throws TableNotFoundException if the table does not exist
     */
    DataFileWriter newDataFileWriter();

    /**
     * A writer of data files for records of an earlier version of the table's schema (one the current schema
     * covers, such as the schema records were decoded with before a concurrent {@link #evolveSchema}). Its files
     * lack the newer columns, which readers fill with nulls.
     *
     * @throws TableNotFoundException if the table does not exist
     * @throws IllegalArgumentException if the current table schema does not cover {@code recordSchema}
     */
    DataFileWriter newDataFileWriter(Schema recordSchema);

    /**
     * Commits a batch atomically (see the class comment).
     *
     * @throws StaleBatchException if the batch id is lower than the committed one
     * @throws OffsetGapException if a partition range starts above the table's next offset
     * @throws CommitFailedException if every attempt failed and the batch is known absent
     * @throws CommitOutcomeUnknownException if the outcome cannot be learned (storage down): retry later
     */
    default CommitOutcome commit(BatchCommit batch) {
        return apply(batch);
    }

    /**
     * Applies one change: every write to the table goes through here (the methods above that write build their
     * change and call this), so a decorator that guards writes wraps this one method.
     *
     * @return what the change's own method returns; its failures are that method's
     */
    <R> R apply(TableChange<R> change);
}
