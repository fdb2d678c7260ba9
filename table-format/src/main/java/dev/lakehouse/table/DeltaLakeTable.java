package dev.lakehouse.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.CommitInfo;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.actions.SetTransaction;
import io.delta.standalone.exceptions.ConcurrentDeleteDeleteException;
import io.delta.standalone.exceptions.ConcurrentDeleteReadException;
import io.delta.standalone.exceptions.DeltaConcurrentModificationException;
import io.delta.standalone.types.DataType;
import io.delta.standalone.types.DateType;
import io.delta.standalone.types.IntegerType;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link LakeTable} on delta-standalone. */
final class DeltaLakeTable implements LakeTable {

    /** Table properties under this prefix belong to the appliance. */
    static final String INTERNAL_PREFIX = "lakehouse.";
    static final String AVRO_SCHEMA_PROPERTY = "lakehouse.avro.schema";
    static final String PARTITION_SPEC_PROPERTY = "lakehouse.partition.spec";
    /** The commit parameter naming the writer schema behind a create or a schema change. */
    static final String WRITER_SCHEMA_PARAMETER = "writerSchema";

    private static final Logger LOG = LoggerFactory.getLogger(DeltaLakeTable.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TableOptions options;
    private final Configuration conf;
    private final Path root;
    /**
     * Opened, and so read, by the constructor. Opening it on first use instead, on the pipeline's thread, measured
     * slower: on two cores that read then competes with the console's and the scheduler's start-up.
     */
    private final DeltaLog log;
    /** Null unless the table is on local disk. */
    private final LocalCommitLock commitLock;
    /** The writer layout of the last schema written, with that schema's text; one field so both change together. */
    private record CachedLayout(String schemaJson, ParquetDataFileWriter.Layout layout) {
    }

    private volatile CachedLayout cachedLayout;

    /** The Hadoop configuration for reading files of one file schema (it carries the Avro read schema). */
    private record ReadConf(String fileSchemaJson, Configuration conf) {
    }

    private volatile ReadConf cachedReadConf;

    DeltaLakeTable(TableOptions options) {
        this.options = options;
        this.conf = HadoopConfigurations.create(options.location(), options.hadoopProperties());
        this.root = new Path(options.location());
        this.log = DeltaLog.forTable(conf, root);
        this.commitLock = LocalCommitLock.forLocation(options.location());
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public boolean exists() {
        log.update();
        return log.tableExists();
    }

    @Override
    public TableSnapshot createIfAbsent(Schema avroSchema) {
        return createIfAbsent(avroSchema, "");
    }

    @Override
    public TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef) {
        if (exists()) {
            TableSnapshot existing = snapshot();
            if (!existing.partitionSpec().equals(options.partitionSpec())) {
                throw new IllegalStateException("table " + location() + " is partitioned by "
                        + PartitionSpecs.format(existing.partitionSpec()) + " but the configuration says "
                        + PartitionSpecs.format(options.partitionSpec())
                        + "; the partitioning of an existing table cannot change");
            }
            return existing;
        }
        Schema normalized = TableSchemas.normalize(avroSchema);
        StructType deltaSchema = deltaSchema(normalized, options.partitionSpec());
        PartitionValues.validate(options.partitionSpec(), normalized);
        Map<String, String> configuration = new LinkedHashMap<>(options.tableProperties());
        configuration.put(AVRO_SCHEMA_PROPERTY, normalized.toString());
        configuration.put(PARTITION_SPEC_PROPERTY, PartitionSpecs.format(options.partitionSpec()));
        Metadata metadata = Metadata.builder()
                .schema(deltaSchema)
                .partitionColumns(options.partitionSpec().columns())
                .configuration(configuration)
                .createdTime(options.clock().millis())
                .build();
        OptimisticTransaction txn = log.startTransaction();
        txn.updateMetadata(metadata);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("isManaged", parameter("false"));
        params.put("partitionBy", parameter(json(options.partitionSpec().columns())));
        putWriterSchema(params, writerSchemaRef);
        try {
            LocalCommitLock.around(commitLock, () -> txn.commit(List.of(),
                    new Operation(Operation.Name.CREATE_TABLE, params), options.engineInfo()));
            LOG.info("created table {} partitioned by [{}]", location(), PartitionSpecs.format(options.partitionSpec()));
        } catch (Exception e) {
            // Another creator won the race (its table is the table), or the commit landed and a post-commit step
            // threw: either way the table exists now. Anything else is a real failure.
            if (!exists()) {
                throw new CommitFailedException("cannot create table " + location() + ": " + e, e);
            }
            LOG.info("table {} exists after a failed create call ({}); using it", location(), e.toString());
        }
        return snapshot();
    }

    @Override
    public TableSnapshot snapshot() {
        Snapshot snapshot = log.update();
        if (snapshot.getVersion() < 0) {
            throw new IllegalStateException("table " + location() + " does not exist yet");
        }
        Metadata metadata = snapshot.getMetadata();
        List<DataFile> files = new ArrayList<>();
        for (AddFile add : snapshot.getAllFiles()) {
            files.add(new DataFile(add.getPath(), add.getPartitionValues(), add.getSize(),
                    numRecords(add.getStats()), add.getStats(), add.getModificationTime()));
        }
        return new TableSnapshot(snapshot.getVersion(), tableAvroSchema(metadata), metadata.getSchema().toJson(),
                PartitionSpecs.parse(metadata.getConfiguration().get(PARTITION_SPEC_PROPERTY), metadata),
                metadata.getConfiguration(), files);
    }

    @Override
    public List<TableCommit> history(int limit) {
        long latest = log.update().getVersion();
        List<TableCommit> commits = new ArrayList<>();
        for (long v = latest; v >= 0 && commits.size() < limit; v--) {
            CommitInfo info;
            try {
                info = log.getCommitInfoAt(v);
            } catch (RuntimeException e) {
                // Versions before the oldest retained log file are gone by design (log retention).
                break;
            }
            Map<String, String> params = new LinkedHashMap<>();
            info.getOperationParameters().forEach((k, value) -> params.put(k, unquote(value)));
            commits.add(new TableCommit(v, info.getTimestamp().toInstant(), info.getOperation(), params,
                    info.getOperationMetrics().orElse(Map.of()), info.getEngineInfo().orElse("")));
        }
        return commits;
    }

    @Override
    public long txnVersion(String appId) {
        log.update();
        return log.startTransaction().txnVersion(appId);
    }

    @Override
    public TableSnapshot evolveSchema(Schema writerSchema) {
        return evolveSchema(writerSchema, "");
    }

    @Override
    public TableSnapshot evolveSchema(Schema writerSchema, String writerSchemaRef) {
        for (int attempt = 1; ; attempt++) {
            OptimisticTransaction txn = log.startTransaction();
            Metadata current = txn.metadata();
            Schema table = tableAvroSchema(current);
            Schema merged = TableSchemas.merge(table, writerSchema);
            if (merged == table) {
                return snapshot();
            }
            PartitionSpec spec = PartitionSpecs.parse(current.getConfiguration().get(PARTITION_SPEC_PROPERTY), current);
            StructType deltaSchema = deltaSchema(merged, spec);
            Map<String, String> configuration = new LinkedHashMap<>(current.getConfiguration());
            configuration.put(AVRO_SCHEMA_PROPERTY, merged.toString());
            txn.updateMetadata(current.copyBuilder().schema(deltaSchema).configuration(configuration).build());
            Map<String, String> params = new LinkedHashMap<>();
            params.put("columns", parameter(json(addedColumns(table, merged))));
            putWriterSchema(params, writerSchemaRef);
            try {
                LocalCommitLock.around(commitLock, () -> txn.commit(List.of(),
                        new Operation(Operation.Name.ADD_COLUMNS, params), options.engineInfo()));
                LOG.info("table {}: schema evolved, added {}", location(), addedColumns(table, merged));
                return snapshot();
            } catch (Exception e) {
                // A conflict, or an unknown outcome: the next attempt re-reads the table schema, so a change that
                // did land is seen as "nothing to do" and one that did not is tried again.
                if (attempt >= options.commitAttempts()) {
                    throw new CommitFailedException("schema change of " + location() + " failed in " + attempt
                            + " attempts: " + e, e);
                }
                LOG.info("table {}: schema change attempt {} failed, retrying: {}", location(), attempt, e.toString());
            }
        }
    }

    private static void putWriterSchema(Map<String, String> params, String writerSchemaRef) {
        if (writerSchemaRef != null && !writerSchemaRef.isEmpty()) {
            params.put(WRITER_SCHEMA_PARAMETER, parameter(writerSchemaRef));
        }
    }

    @Override
    public List<SchemaChange> schemaHistory() {
        log.update();
        List<SchemaChange> changes = new ArrayList<>();
        if (!log.tableExists()) {
            return changes;
        }
        Schema previous = null;
        Iterator<VersionLog> versions = log.getChanges(0, false);
        while (versions.hasNext()) {
            VersionLog version = versions.next();
            Metadata metadata = null;
            CommitInfo info = null;
            for (Action action : version.getActions()) {
                if (action instanceof Metadata m) {
                    metadata = m;
                } else if (action instanceof CommitInfo c) {
                    info = c;
                }
            }
            if (metadata == null || metadata.getConfiguration().get(AVRO_SCHEMA_PROPERTY) == null) {
                continue;
            }
            Schema schema = tableAvroSchema(metadata);
            List<String> added = previous == null
                    ? schema.getFields().stream().map(Schema.Field::name).toList()
                    : addedColumns(previous, schema);
            if (previous != null && added.isEmpty()) {
                previous = schema; // a property or enum-symbol change: no new column
                continue;
            }
            String operation = info != null ? info.getOperation() : previous == null ? "CREATE TABLE" : "ADD COLUMNS";
            String writer = info == null ? "" : unquote(info.getOperationParameters().getOrDefault(WRITER_SCHEMA_PARAMETER, ""));
            java.time.Instant at = info != null ? info.getTimestamp().toInstant()
                    : java.time.Instant.ofEpochMilli(metadata.getCreatedTime().orElse(0L));
            changes.add(new SchemaChange(version.getVersion(), at, operation, added, writer, schema.getFields().size()));
            previous = schema;
        }
        return changes;
    }

    @Override
    public RowReader openRows(DataFile file) {
        Snapshot snapshot = log.update();
        if (!log.tableExists()) {
            throw new IllegalStateException("table " + location() + " does not exist");
        }
        Metadata metadata = snapshot.getMetadata();
        Schema tableSchema = tableAvroSchema(metadata);
        PartitionSpec spec = PartitionSpecs.parse(metadata.getConfiguration().get(PARTITION_SPEC_PROPERTY), metadata);
        Schema fileSchema = fileSchema(tableSchema, spec);
        String key = fileSchema.toString();
        ReadConf cached = cachedReadConf;
        if (cached == null || !cached.fileSchemaJson().equals(key)) {
            // A Configuration copy costs milliseconds; compaction opens thousands of small files.
            cached = new ReadConf(key, ParquetRowReader.readConf(conf, fileSchema));
            cachedReadConf = cached;
        }
        return new ParquetRowReader(cached.conf(), new Path(root, new Path(java.net.URI.create(file.path()))),
                tableSchema, fileSchema, spec, file.partitionValues());
    }

    @Override
    public long rewrite(FileRewrite rewrite) {
        Exception lastError = null;
        for (int attempt = 1; attempt <= options.commitAttempts(); attempt++) {
            OptimisticTransaction txn = log.startTransaction();
            Map<String, AddFile> live = new java.util.HashMap<>();
            for (AddFile add : log.snapshot().getAllFiles()) {
                live.put(add.getPath(), add);
            }
            List<String> missing = rewrite.removed().stream().map(DataFile::path).filter(p -> !live.containsKey(p)).toList();
            if (!missing.isEmpty()) {
                throw new RewriteConflictException(rewrite.operation() + " of " + location() + " not committed: "
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
                        rewrite.dataChange(), statsValue(f.statsJson()), null));
            }
            try {
                return LocalCommitLock.around(commitLock, () -> txn.commit(actions, rewriteOperation(rewrite),
                        options.engineInfo())).getVersion();
            } catch (ConcurrentDeleteDeleteException | ConcurrentDeleteReadException e) {
                lastError = e; // the next attempt finds which files are gone and reports them
            } catch (DeltaConcurrentModificationException e) {
                lastError = e;
                LOG.info("table {}: {} conflicted with a concurrent commit (attempt {}): {}", location(),
                        rewrite.operation(), attempt, e.getMessage());
            } catch (Exception e) {
                lastError = e;
                LOG.warn("table {}: {} threw (attempt {}); checking the log before retrying", location(),
                        rewrite.operation(), attempt, e);
                Optional<Long> landed = rewriteLanded(rewrite);
                if (landed.isPresent()) {
                    return landed.get();
                }
            }
        }
        throw new CommitFailedException(rewrite.operation() + " of " + location() + " could not be committed in "
                + options.commitAttempts() + " attempts; nothing changed: "
                + (lastError == null ? "" : lastError.getMessage()), lastError);
    }

    /** After a commit call threw: the version if the rewrite is in the log (its files added, the old ones gone). */
    private Optional<Long> rewriteLanded(FileRewrite rewrite) {
        Snapshot snapshot;
        try {
            snapshot = log.update();
        } catch (RuntimeException e) {
            throw new CommitOutcomeUnknownException(rewrite.operation() + " of " + location() + " threw and the "
                    + "table cannot be reloaded to check it: " + e.getMessage(), e);
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        snapshot.getAllFiles().forEach(a -> live.add(a.getPath()));
        boolean added = rewrite.added().stream().allMatch(f -> live.contains(f.path()));
        boolean removed = rewrite.removed().stream().noneMatch(f -> live.contains(f.path()));
        return added && removed ? Optional.of(snapshot.getVersion()) : Optional.empty();
    }

    private static Operation rewriteOperation(FileRewrite rewrite) {
        Map<String, String> params = new LinkedHashMap<>();
        Operation.Name name = Operation.Name.UPDATE;
        if (!rewrite.operation().equals("UPDATE")) {
            name = Operation.Name.MANUAL_UPDATE;
            params.put("operation", parameter(rewrite.operation()));
        }
        rewrite.parameters().forEach((k, v) -> params.put(k, parameter(v)));
        Map<String, String> metrics = new LinkedHashMap<>(rewrite.metrics());
        metrics.putIfAbsent("numRemovedFiles", Integer.toString(rewrite.removed().size()));
        metrics.putIfAbsent("numAddedFiles", Integer.toString(rewrite.added().size()));
        metrics.putIfAbsent("numRemovedBytes", Long.toString(rewrite.removed().stream().mapToLong(DataFile::sizeBytes).sum()));
        metrics.putIfAbsent("numAddedBytes", Long.toString(rewrite.added().stream().mapToLong(DataFile::sizeBytes).sum()));
        return new Operation(name, params, metrics);
    }

    @Override
    public TableOptions options() {
        return options;
    }

    @Override
    public VacuumResult vacuum(java.time.Duration retention, boolean dryRun) {
        Snapshot snapshot = log.update();
        if (snapshot.getVersion() < 0) {
            return new VacuumResult(List.of(), 0, 0, 0, dryRun);
        }
        long cutoff = options.clock().millis() - retention.toMillis();
        java.util.Set<String> live = new java.util.HashSet<>();
        snapshot.getAllFiles().forEach(add -> live.add(absolute(add.getPath())));
        java.util.Set<String> retained = new java.util.HashSet<>();
        Iterator<VersionLog> versions = log.getChanges(0, false);
        while (versions.hasNext()) {
            for (Action action : versions.next().getActions()) {
                if (action instanceof io.delta.standalone.actions.RemoveFile remove
                        && remove.getDeletionTimestamp().orElse(Long.MAX_VALUE) > cutoff) {
                    retained.add(absolute(remove.getPath()));
                }
            }
        }
        retained.removeAll(live);
        List<String> deleted = new ArrayList<>();
        long deletedBytes = 0;
        String rootPath = root.toUri().getPath();
        try {
            org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(conf);
            org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                org.apache.hadoop.fs.LocatedFileStatus file = files.next();
                String path = file.getPath().toUri().getPath();
                String relative = path.startsWith(rootPath) ? path.substring(rootPath.length()).replaceFirst("^/", "")
                        : path;
                if (hidden(relative) || live.contains(path) || retained.contains(path)
                        || file.getModificationTime() >= cutoff) {
                    continue;
                }
                if (!dryRun && !fs.delete(file.getPath(), false)) {
                    throw new java.io.IOException("could not delete " + file.getPath());
                }
                deleted.add(relative);
                deletedBytes += file.getLen();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("vacuum of " + location() + " failed after " + deleted.size()
                    + " files: " + e.getMessage(), e);
        }
        LOG.info("table {}: vacuum {} {} files ({} bytes); {} live, {} removed files kept for the retention of {}",
                location(), dryRun ? "would delete" : "deleted", deleted.size(), deletedBytes, live.size(),
                retained.size(), retention);
        return new VacuumResult(deleted, deletedBytes, live.size(), retained.size(), dryRun);
    }

    /** The log, and anything hidden at any level (Delta's rule: names starting with '_' or '.'). */
    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith("_") || part.startsWith(".")) {
                return !part.contains("="); // a partition directory such as _x=1 is data
            }
        }
        return false;
    }

    private String absolute(String addPath) {
        return new Path(root, new Path(java.net.URI.create(addPath))).toUri().getPath();
    }

    @Override
    public long lastCheckpointVersion() {
        Path marker = new Path(new Path(root, "_delta_log"), "_last_checkpoint");
        try {
            org.apache.hadoop.fs.FileSystem fs = marker.getFileSystem(conf);
            if (!fs.exists(marker)) {
                return -1;
            }
            try (java.io.InputStream in = fs.open(marker)) {
                return JSON.readTree(in).path("version").asLong(-1);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + marker, e);
        }
    }

    @Override
    public DataFileWriter newDataFileWriter() {
        return newDataFileWriter(null);
    }

    @Override
    public DataFileWriter newDataFileWriter(Schema recordSchema) {
        Snapshot snapshot = log.update();
        if (!log.tableExists()) {
            throw new IllegalStateException("table " + location() + " does not exist yet; create it first");
        }
        Metadata metadata = snapshot.getMetadata();
        String tableSchemaJson = metadata.getConfiguration().get(AVRO_SCHEMA_PROPERTY);
        String layoutSchemaJson = recordSchema == null ? tableSchemaJson : recordSchema.toString();
        CachedLayout cached = cachedLayout;
        // Compare schema text, not parsed schemas: this runs once per batch and the text rarely changes.
        if (cached == null || !layoutSchemaJson.equals(cached.schemaJson())) {
            Schema tableSchema = tableAvroSchema(metadata);
            Schema writeSchema = tableSchema;
            if (recordSchema != null && !layoutSchemaJson.equals(tableSchemaJson)) {
                writeSchema = TableSchemas.normalize(recordSchema);
                if (TableSchemas.merge(tableSchema, writeSchema) != tableSchema) {
                    throw new IllegalArgumentException("records of schema " + recordSchema.getFullName() + " have "
                            + "columns table " + location() + " lacks; evolve the table schema before writing them");
                }
            }
            PartitionSpec spec = PartitionSpecs.parse(metadata.getConfiguration().get(PARTITION_SPEC_PROPERTY), metadata);
            cached = new CachedLayout(layoutSchemaJson, new ParquetDataFileWriter.Layout(root, conf, writeSchema,
                    fileSchema(writeSchema, spec), spec, options.codec(), options.targetFileSizeBytes(),
                    options.clock()));
            cachedLayout = cached;
        }
        return new ParquetDataFileWriter(cached.layout());
    }

    @Override
    public CommitOutcome commit(BatchCommit batch) {
        Exception lastError = null;
        for (int attempt = 1; attempt <= options.commitAttempts(); attempt++) {
            OptimisticTransaction txn = log.startTransaction();
            Optional<CommitOutcome> skip = checkBatch(txn, batch);
            if (skip.isPresent()) {
                return skip.get();
            }
            try {
                long version = LocalCommitLock.around(commitLock, () -> txn.commit(actions(batch), operation(batch),
                        options.engineInfo())).getVersion();
                return new CommitOutcome(CommitOutcome.Status.COMMITTED, version, "");
            } catch (DeltaConcurrentModificationException e) {
                lastError = e;
                LOG.info("table {}: batch {} of {} conflicted with a concurrent commit (attempt {}): {}", location(),
                        batch.batchId(), batch.batchAppId(), attempt, e.getMessage());
            } catch (Exception e) {
                // Unknown outcome: the commit file may be durable although commit() threw (e.g. in the
                // post-commit checkpoint, whose FileAlreadyExistsException is a checked exception that Scala
                // code throws undeclared, hence Exception and not RuntimeException here). Learn the truth from
                // the log before trying again.
                lastError = e;
                LOG.warn("table {}: commit of batch {} of {} threw (attempt {}); checking the log before retrying",
                        location(), batch.batchId(), batch.batchAppId(), attempt, e);
                long committed;
                try {
                    log.update();
                    committed = log.startTransaction().txnVersion(batch.batchAppId());
                } catch (RuntimeException reloadFailure) {
                    reloadFailure.addSuppressed(e);
                    throw new CommitOutcomeUnknownException("commit of batch " + batch.batchId() + " to "
                            + location() + " threw and the table cannot be reloaded to check it: "
                            + reloadFailure.getMessage() + ". Retry the same batch when storage is back.",
                            reloadFailure);
                }
                if (committed >= batch.batchId()) {
                    long version = log.snapshot().getVersion();
                    return new CommitOutcome(CommitOutcome.Status.COMMITTED, version,
                            "committed; the commit call threw afterwards: " + e);
                }
            }
        }
        throw new CommitFailedException("batch " + batch.batchId() + " of " + batch.batchAppId() + " could not be "
                + "committed to " + location() + " in " + options.commitAttempts() + " attempts; it is not in the "
                + "table: " + (lastError == null ? "" : lastError.getMessage()), lastError);
    }

    /** The replay and gap checks, inside the committing transaction so they see what it will commit on. */
    private Optional<CommitOutcome> checkBatch(OptimisticTransaction txn, BatchCommit batch) {
        long committedBatch = txn.txnVersion(batch.batchAppId());
        if (committedBatch == batch.batchId()) {
            return Optional.of(new CommitOutcome(CommitOutcome.Status.DUPLICATE_BATCH, -1, "batch " + batch.batchId()
                    + " of " + batch.batchAppId() + " is already committed"));
        }
        if (committedBatch > batch.batchId()) {
            throw new StaleBatchException("batch " + batch.batchId() + " of " + batch.batchAppId() + " is older than "
                    + "the committed batch " + committedBatch + " in " + location() + ": another process commits "
                    + "under the same instance id; give every running instance its own instance-id");
        }
        for (OffsetRange range : batch.offsets()) {
            long next = txn.txnVersion(range.appId(batch.pipeline()));
            if (next < 0) {
                continue;
            }
            if (range.startOffset() < next) {
                return Optional.of(new CommitOutcome(CommitOutcome.Status.REPLAYED_OFFSETS, -1, range.topic() + "-"
                        + range.partition() + " starts at offset " + range.startOffset() + " but the table already "
                        + "holds everything before " + next + "; seek to the table's offsets and read again"));
            }
            if (range.startOffset() > next && batch.offsetCheck() == BatchCommit.OffsetCheck.CONTIGUOUS) {
                throw new OffsetGapException("batch " + batch.batchId() + " of " + batch.batchAppId() + " starts "
                        + range.topic() + "-" + range.partition() + " at offset " + range.startOffset()
                        + " but the table's next offset is " + next + ": offsets " + next + " to "
                        + (range.startOffset() - 1) + " would be lost. Not committed.");
            }
        }
        return Optional.empty();
    }

    private List<Action> actions(BatchCommit batch) {
        List<Action> actions = new ArrayList<>();
        for (DataFile f : batch.files()) {
            actions.add(new AddFile(f.path(), f.partitionValues(), f.sizeBytes(), f.modificationTime(), true,
                    statsValue(f.statsJson()), null));
        }
        long now = options.clock().millis();
        actions.add(new SetTransaction(batch.batchAppId(), batch.batchId(), Optional.of(now)));
        for (OffsetRange range : batch.offsets()) {
            actions.add(new SetTransaction(range.appId(batch.pipeline()), range.nextOffset(), Optional.of(now)));
        }
        return actions;
    }

    private static Operation operation(BatchCommit batch) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("outputMode", parameter("Append"));
        params.put("queryId", parameter(batch.batchAppId()));
        params.put("epochId", parameter(Long.toString(batch.batchId())));
        params.put("pipeline", parameter(batch.pipeline()));
        List<Map<String, Object>> offsets = new ArrayList<>();
        for (OffsetRange r : batch.offsets()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("topic", r.topic());
            o.put("partition", r.partition());
            o.put("startOffset", r.startOffset());
            o.put("nextOffset", r.nextOffset());
            offsets.add(o);
        }
        params.put("offsets", parameter(json(offsets)));
        batch.parameters().forEach((k, v) -> params.put(k, parameter(v)));
        Map<String, String> metrics = new LinkedHashMap<>();
        metrics.put("numAddedFiles", Integer.toString(batch.files().size()));
        metrics.put("numOutputRows", Long.toString(batch.numRecords()));
        metrics.put("numOutputBytes", Long.toString(batch.sizeBytes()));
        return new Operation(Operation.Name.STREAMING_UPDATE, params, metrics);
    }

    /** Table columns: the Avro schema's, plus derived (non-identity) partition columns. */
    static StructType deltaSchema(Schema tableSchema, PartitionSpec spec) {
        StructType base = AvroToDelta.toStructType(tableSchema);
        List<StructField> fields = new ArrayList<>(List.of(base.getFields()));
        for (PartitionField field : spec.fields()) {
            if (field.transform() == PartitionTransform.IDENTITY) {
                continue;
            }
            if (tableSchema.getField(field.column()) != null) {
                throw new SchemaMappingException(field.column(), "the derived partition column clashes with a "
                        + "record field of the same name; choose another column name");
            }
            DataType type = switch (field.transform()) {
                case YEAR -> new IntegerType();
                case DAY -> new DateType();
                default -> new StringType();
            };
            fields.add(new StructField(field.column(), type, true));
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    /** The schema of the data files: the table schema without identity partition columns. */
    static Schema fileSchema(Schema tableSchema, PartitionSpec spec) {
        List<String> identity = spec.fields().stream()
                .filter(f -> f.transform() == PartitionTransform.IDENTITY).map(PartitionField::column).toList();
        if (identity.isEmpty()) {
            return tableSchema;
        }
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : tableSchema.getFields()) {
            if (!identity.contains(f.name())) {
                fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
            }
        }
        return Schema.createRecord(tableSchema.getName(), tableSchema.getDoc(), tableSchema.getNamespace(), false, fields);
    }

    private static Schema tableAvroSchema(Metadata metadata) {
        String avro = metadata.getConfiguration().get(AVRO_SCHEMA_PROPERTY);
        if (avro == null) {
            throw new IllegalStateException("table has no " + AVRO_SCHEMA_PROPERTY + " property: it was not created "
                    + "by the appliance, which cannot append to it");
        }
        return new Schema.Parser().parse(avro);
    }

    private static List<String> addedColumns(Schema before, Schema after) {
        List<String> added = new ArrayList<>();
        collectAdded(before, after, "", added);
        return added;
    }

    private static void collectAdded(Schema before, Schema after, String prefix, List<String> added) {
        for (Schema.Field f : after.getFields()) {
            String path = prefix.isEmpty() ? f.name() : prefix + "." + f.name();
            Schema.Field old = before.getField(f.name());
            if (old == null) {
                added.add(path);
                continue;
            }
            List<Schema> a = TableSchemas.nonNullBranches(f.schema());
            List<Schema> b = TableSchemas.nonNullBranches(old.schema());
            if (a.size() == 1 && b.size() == 1 && a.get(0).getType() == Schema.Type.RECORD
                    && b.get(0).getType() == Schema.Type.RECORD) {
                collectAdded(b.get(0), a.get(0), path, added);
            }
        }
    }

    private static long numRecords(String stats) {
        if (stats == null) {
            return -1;
        }
        try {
            return JSON.readTree(stats).path("numRecords").asLong(-1);
        } catch (JsonProcessingException e) {
            return -1;
        }
    }

    /**
     * An operation parameter value. delta-standalone writes parameter values into the commit JSON verbatim and
     * reads them back as strings, so every value must be a JSON string literal; structured values (lists,
     * offsets) are JSON text inside that string, as Spark writes {@code partitionBy}. Anything else commits
     * fine but makes the log unreadable.
     */
    private static String parameter(String value) {
        return json(value);
    }

    /**
     * {@code add.stats} as delta-standalone needs it: it writes the value verbatim, so the JSON document must be
     * passed as a JSON string literal (it reads back as the plain document).
     */
    private static String statsValue(String statsJson) {
        return statsJson == null ? null : json(statsJson);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String unquote(String value) {
        if (value == null || !value.startsWith("\"")) {
            return value;
        }
        try {
            JsonNode node = JSON.readTree(value);
            return node.isTextual() ? node.asText() : value;
        } catch (JsonProcessingException e) {
            return value;
        }
    }
}
