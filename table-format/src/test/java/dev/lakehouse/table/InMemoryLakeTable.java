package dev.lakehouse.table;

import dev.lakehouse.table.delta.AvroToDelta;
import dev.lakehouse.table.delta.BatchCommitRules;
import dev.lakehouse.table.delta.TableMetadata;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A {@link LakeTable} in memory, for unit tests of the code that writes tables: the same commit protocol
 * ({@link BatchCommitRules}: duplicate and stale batch ids, replayed offsets, gaps), schema evolution by
 * {@link TableSchemas#merge}, file rewrites with conflict detection, and a history. Files hold their rows in
 * memory; partitioning is recorded but files are not split by it.
 *
 * <p>Faults are injected with {@link #failNextCommits}: the next commits throw the given exception before
 * changing anything, as storage that is down would. Thread-safe.
 */
public final class InMemoryLakeTable implements LakeTable {

    private final TableOptions options;
    private Map<String, String> properties;
    private final AtomicLong fileNumbers = new AtomicLong();
    private final Map<String, List<GenericRecord>> written = new HashMap<>();
    private final Map<String, DataFile> live = new LinkedHashMap<>();
    private final Map<String, Long> txns = new HashMap<>();
    private final Map<SourceFact, String> sourceFacts = new HashMap<>();
    private final List<TableCommit> history = new ArrayList<>();
    private final List<SchemaChange> schemaChanges = new ArrayList<>();
    private final List<RemovedFile> removed = new ArrayList<>();
    private final Deque<Supplier<? extends RuntimeException>> commitFaults = new ArrayDeque<>();
    private Schema schema;
    private long version = -1;
    private Runnable afterCommit;
    private final java.util.concurrent.atomic.AtomicReference<Runnable> beforeCommit =
            new java.util.concurrent.atomic.AtomicReference<>();
    private Runnable onCreate = () -> { };

    private record RemovedFile(DataFile file, long removedAtMillis) {
    }

    /** An empty table (it does not exist until {@link #createIfAbsent}) at {@code memory:/<name>}. */
    public InMemoryLakeTable(String name) {
        this(TableOptions.builder("memory:/" + name).build());
    }

    /** An empty table with these options (location, partition spec, clock). */
    public InMemoryLakeTable(TableOptions options) {
        this.options = options;
        this.properties = options.tableProperties();
    }

    /** The next {@code count} commits (batches, rewrites, schema changes) throw what {@code fault} supplies. */
    public synchronized InMemoryLakeTable failNextCommits(int count, Supplier<? extends RuntimeException> fault) {
        for (int i = 0; i < count; i++) {
            commitFaults.add(fault);
        }
        return this;
    }

    /**
     * Runs {@code hook} right after the next batch commit lands (to fail what comes next, such as another
     * table's write, at an exact step).
     */
    public synchronized InMemoryLakeTable afterNextCommit(Runnable hook) {
        afterCommit = hook;
        return this;
    }

    /** Runs {@code hook} when the table is created, before the creation lands (to make it take time). */
    public synchronized InMemoryLakeTable onCreate(Runnable hook) {
        onCreate = hook;
        return this;
    }

    /** Every row of the live files, in commit order. */
    public synchronized List<GenericRecord> rows() {
        List<GenericRecord> rows = new ArrayList<>();
        live.keySet().forEach(path -> rows.addAll(written.get(path)));
        return rows;
    }

    @Override
    public String location() {
        return options.location();
    }

    @Override
    public synchronized boolean exists() {
        return version >= 0;
    }

    @Override
    public TableSnapshot createIfAbsent(Schema avroSchema) {
        return createIfAbsent(avroSchema, "");
    }

    @Override
    public synchronized TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef) {
        return createIfAbsent(avroSchema, writerSchemaRef, List.of());
    }

    @Override
    public synchronized TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef,
                                                     List<String> keyColumns) {
        if (exists()) {
            if (!snapshot().partitionSpec().equals(options.partitionSpec())) {
                throw new PartitioningMismatchException(location(), snapshot().partitionSpec(),
                        options.partitionSpec());
            }
            return snapshot();
        }
        onCreate.run();
        schema = TableSchemas.normalize(avroSchema);
        if (!keyColumns.isEmpty()) { // recorded as the Delta table records it
            properties = new java.util.HashMap<>(options.tableProperties());
            properties.put(TableMetadata.KEY_COLUMNS_PROPERTY, String.join(",", keyColumns));
        }
        newVersion("CREATE TABLE", Map.of("writerSchema", writerSchemaRef), Map.of());
        schemaChanges.add(new SchemaChange(version, options.clock().instant(), "CREATE TABLE",
                schema.getFields().stream().map(Schema.Field::name).toList(), writerSchemaRef,
                schema.getFields().size()));
        return snapshot();
    }

    @Override
    public synchronized TableSnapshot snapshot() {
        requireExists();
        return new TableSnapshot(version, schema, AvroToDelta.toStructType(schema).toJson(), options.partitionSpec(),
                properties, List.copyOf(live.values()));
    }

    @Override
    public synchronized List<TableCommit> history(int limit) {
        List<TableCommit> newestFirst = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0 && newestFirst.size() < limit; i--) {
            newestFirst.add(history.get(i));
        }
        return newestFirst;
    }

    @Override
    public synchronized long txnVersion(String appId) {
        return txns.getOrDefault(appId, -1L);
    }

    @Override
    public synchronized Map<SourceFact, String> sourceFacts(java.util.Collection<SourceFact> keys) {
        Map<SourceFact, String> found = new LinkedHashMap<>();
        keys.forEach(key -> {
            if (sourceFacts.containsKey(key)) {
                found.put(key, sourceFacts.get(key));
            }
        });
        return found;
    }

    @Override
    public synchronized void recordSourceFacts(Map<SourceFact, String> facts) {
        sourceFacts.putAll(facts);
    }

    @Override
    public TableSnapshot evolveSchema(Schema writerSchema) {
        return evolveSchema(writerSchema, "");
    }

    @Override
    public synchronized TableSnapshot evolveSchema(Schema writerSchema, String writerSchemaRef) {
        requireExists();
        Schema merged = TableSchemas.merge(schema, writerSchema);
        if (merged == schema) {
            return snapshot();
        }
        injectFault();
        List<String> added = merged.getFields().stream().map(Schema.Field::name)
                .filter(name -> schema.getField(name) == null).toList();
        schema = merged;
        newVersion("ADD COLUMNS", Map.of("writerSchema", writerSchemaRef), Map.of());
        schemaChanges.add(new SchemaChange(version, options.clock().instant(), "ADD COLUMNS", added, writerSchemaRef,
                schema.getFields().size()));
        return snapshot();
    }

    @Override
    public synchronized List<SchemaChange> schemaHistory() {
        return List.copyOf(schemaChanges);
    }

    @Override
    public synchronized RowReader openRows(DataFile file) {
        requireExists();
        List<GenericRecord> rows = written.get(file.path());
        if (rows == null) {
            throw new IllegalArgumentException("no file " + file.path() + " in " + location());
        }
        Iterator<GenericRecord> it = List.copyOf(rows).iterator();
        return new RowReader() {
            @Override
            public GenericRecord next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The named columns only, as the Delta table reads them: records of just those fields, in the rows' order. */
    @Override
    public synchronized RowReader openRows(DataFile file, java.util.Set<String> columns) {
        RowReader whole = openRows(file);
        return new RowReader() {
            @Override
            public GenericRecord next() {
                GenericRecord row = whole.next();
                if (row == null) {
                    return null;
                }
                List<org.apache.avro.Schema.Field> fields = new java.util.ArrayList<>();
                for (org.apache.avro.Schema.Field f : row.getSchema().getFields()) {
                    if (columns.contains(f.name())) {
                        fields.add(new org.apache.avro.Schema.Field(f, f.schema()));
                    }
                }
                org.apache.avro.Schema projected = org.apache.avro.Schema.createRecord(row.getSchema().getName(),
                        null, row.getSchema().getNamespace(), false, fields);
                GenericRecord out = new org.apache.avro.generic.GenericData.Record(projected);
                for (org.apache.avro.Schema.Field f : projected.getFields()) {
                    out.put(f.name(), row.get(f.name()));
                }
                return out;
            }

            @Override
            public void close() {
                whole.close();
            }
        };
    }

    @Override
    public synchronized long rewrite(FileRewrite rewrite) {
        requireExists();
        List<String> missing = rewrite.removed().stream().map(DataFile::path).filter(p -> !live.containsKey(p))
                .toList();
        if (!missing.isEmpty()) {
            throw new RewriteConflictException(rewrite.operation() + " of " + location() + " not committed: "
                    + missing.size() + " files were removed by another commit", missing);
        }
        injectFault();
        long now = options.clock().millis();
        rewrite.removed().forEach(f -> removed.add(new RemovedFile(live.remove(f.path()), now)));
        rewrite.added().forEach(f -> live.put(f.path(), f));
        newVersion(rewrite.operation(), rewrite.parameters(), rewrite.metrics());
        return version;
    }

    @Override
    public TableOptions options() {
        return options;
    }

    /** Forgets removed files older than the retention (they were kept for time travel only). */
    @Override
    public synchronized VacuumResult vacuum(Duration retention, boolean dryRun) {
        long cutoff = options.clock().millis() - retention.toMillis();
        List<String> deleted = new ArrayList<>();
        long bytes = 0;
        for (Iterator<RemovedFile> it = removed.iterator(); it.hasNext(); ) {
            RemovedFile file = it.next();
            if (file.removedAtMillis() <= cutoff) {
                deleted.add(file.file().path());
                bytes += file.file().sizeBytes();
                if (!dryRun) {
                    written.remove(file.file().path());
                    it.remove();
                }
            }
        }
        return new VacuumResult(deleted, bytes, live.size(), removed.size() - (dryRun ? deleted.size() : 0), dryRun);
    }

    /** There are no checkpoints in memory. */
    @Override
    public long lastCheckpointVersion() {
        return -1;
    }

    @Override
    public DataFileWriter newDataFileWriter() {
        return newDataFileWriter(null);
    }

    @Override
    public synchronized DataFileWriter newDataFileWriter(Schema recordSchema) {
        requireExists();
        if (recordSchema != null && TableSchemas.merge(schema, TableSchemas.normalize(recordSchema)) != schema) {
            throw new IllegalArgumentException("records of schema " + recordSchema.getFullName() + " have columns "
                    + "table " + location() + " lacks; evolve the table schema before writing them");
        }
        return new MemoryFileWriter();
    }

    /**
     * Runs {@code hook} at the start of the next batch commit, outside the table's lock (to make a commit take time
     * while readers of the table go on).
     */
    public InMemoryLakeTable beforeNextCommit(Runnable hook) {
        beforeCommit.set(hook);
        return this;
    }

    @Override
    public CommitOutcome commit(BatchCommit batch) {
        Runnable hook = beforeCommit.getAndSet(null);
        if (hook != null) {
            hook.run();
        }
        return commitLocked(batch);
    }

    private synchronized CommitOutcome commitLocked(BatchCommit batch) {
        Optional<CommitOutcome> skip = BatchCommitRules.check(batch, this::txnVersion, location());
        if (skip.isPresent()) {
            return skip.get();
        }
        injectFault();
        batch.files().forEach(f -> live.put(f.path(), f));
        txns.put(batch.batchAppId(), batch.batchId());
        for (OffsetRange range : batch.offsets()) {
            txns.put(range.appId(batch.pipeline()), range.nextOffset());
        }
        Map<String, String> parameters = new LinkedHashMap<>(batch.parameters());
        parameters.put("epochId", Long.toString(batch.batchId()));
        parameters.put("queryId", batch.batchAppId());
        newVersion("STREAMING UPDATE", parameters, Map.of("numOutputRows", Long.toString(batch.numRecords())));
        Runnable hook = afterCommit;
        afterCommit = null;
        if (hook != null) {
            hook.run();
        }
        return new CommitOutcome(CommitOutcome.Status.COMMITTED, version, "");
    }

    private void injectFault() {
        Supplier<? extends RuntimeException> fault = commitFaults.poll();
        if (fault != null) {
            throw fault.get();
        }
    }

    private void newVersion(String operation, Map<String, String> parameters, Map<String, String> metrics) {
        version++;
        history.add(new TableCommit(version, options.clock().instant(), operation, Map.copyOf(parameters),
                Map.copyOf(metrics), "in-memory"));
    }

    private void requireExists() {
        if (version < 0) {
            throw new TableNotFoundException(location(), "create it first");
        }
    }

    /** Rows held until {@link #finish()}, then stored under a new path; committed files are the live ones. */
    private final class MemoryFileWriter implements DataFileWriter {
        private final List<GenericRecord> rows = new ArrayList<>();
        private boolean done;

        @Override
        public void write(GenericRecord record) {
            rows.add(record);
        }

        @Override
        public long recordCount() {
            return rows.size();
        }

        @Override
        public long estimatedBytes() {
            return rows.size() * 100L;
        }

        @Override
        public List<DataFile> finish() {
            done = true;
            if (rows.isEmpty()) {
                return List.of();
            }
            String path = "part-" + fileNumbers.incrementAndGet() + ".parquet";
            synchronized (InMemoryLakeTable.this) {
                written.put(path, List.copyOf(rows));
            }
            return List.of(new DataFile(path, Map.of(), rows.size() * 100L, rows.size(), null,
                    options.clock().millis()));
        }

        @Override
        public void abort() {
            done = true;
            rows.clear();
        }

        @Override
        public void close() {
            if (!done) {
                abort();
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R apply(TableChange<R> change) {
        Object result;
        if (change instanceof BatchCommit batch) {
            result = commit(batch);
        } else if (change instanceof FileRewrite rewrite) {
            result = rewrite(rewrite);
        } else if (change instanceof TableChange.Create create) {
            result = createIfAbsent(create.avroSchema(), create.writerSchemaRef(), create.keyColumns());
        } else if (change instanceof TableChange.EvolveSchema evolve) {
            result = evolveSchema(evolve.writerSchema(), evolve.writerSchemaRef());
        } else if (change instanceof TableChange.RecordSourceFacts facts) {
            recordSourceFacts(facts.facts());
            result = null;
        } else if (change instanceof TableChange.Vacuum vacuum) {
            result = vacuum(vacuum.retention(), vacuum.dryRun());
        } else {
            throw new IllegalArgumentException("unknown table change " + change);
        }
        return (R) result;
    }
}
