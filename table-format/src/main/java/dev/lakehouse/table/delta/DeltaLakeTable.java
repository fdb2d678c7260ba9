package dev.lakehouse.table.delta;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.FileRewrite;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.MergeCommit;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.SchemaChange;
import dev.lakehouse.table.SourceFact;
import dev.lakehouse.table.TableChange;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableNotFoundException;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.TableSnapshot;
import dev.lakehouse.table.storage.HadoopConfigurations;
import dev.lakehouse.table.storage.LocalCommitLock;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.CommitInfo;
import io.delta.standalone.actions.Metadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@link LakeTable} on delta-standalone: reads come from the table's {@link DeltaLog}; every change goes through
 * one {@link CommitLoop} ({@link BatchCommitter}, {@link FileRewriteCommitter}, {@link SchemaEvolver});
 * {@link TableVacuum}, {@link SchemaHistoryReader} and {@link DataFileAccess} do the rest.
 */
public final class DeltaLakeTable implements LakeTable {

    private final TableOptions options;
    private final Configuration conf;
    private final Path root;
    /**
     * Opened, and so read, by the constructor. Opening it on first use instead, on the pipeline's thread, measured
     * slower: on two cores that read then competes with the console's and the scheduler's start-up.
     */
    private final DeltaLog log;
    private final CommitLoop commits;
    private final SchemaEvolver schemas;
    private final DataFileAccess files;
    private final SourceFactsFile sourceFacts;

    public DeltaLakeTable(TableOptions options) {
        this.options = options;
        this.conf = HadoopConfigurations.create(options.location(), options.hadoopProperties());
        this.root = new Path(options.location());
        this.log = new RelistingDeltaLog(TableProtocol.open(conf, root), dev.lakehouse.common.Sleeper.system(),
                logPath -> TableProtocol.describeNewest(conf, logPath));
        this.commits = new CommitLoop(log, LocalCommitLock.forLocation(options.location()), options, location());
        this.schemas = new SchemaEvolver(commits, options, location(), this::snapshot);
        this.files = new DataFileAccess(log, conf, root, options);
        this.sourceFacts = new SourceFactsFile(conf, root, options.clock());
    }

    /** Runs {@code check} before every commit attempt (a lease check); it throws to stop the attempt. */
    public void guardCommits(Runnable check) {
        commits.beforeEachAttempt(check);
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
    public TableSnapshot snapshot() {
        Snapshot snapshot = log.update();
        if (snapshot.getVersion() < 0) {
            throw new TableNotFoundException(location(), "");
        }
        Metadata metadata = snapshot.getMetadata();
        List<DataFile> dataFiles = new ArrayList<>();
        for (AddFile add : snapshot.getAllFiles()) {
            dataFiles.add(new DataFile(add.getPath(), add.getPartitionValues(), add.getSize(),
                    DeltaLogJson.numRecords(add.getStats()), add.getStats(), add.getModificationTime()));
        }
        return new TableSnapshot(snapshot.getVersion(), TableMetadata.avroSchema(metadata, location()),
                metadata.getSchema().toJson(), TableMetadata.partitionSpec(metadata), metadata.getConfiguration(),
                dataFiles);
    }

    @Override
    public List<TableCommit> history(int limit) {
        long latest = log.update().getVersion();
        List<TableCommit> commitsFound = new ArrayList<>();
        for (long v = latest; v >= 0 && commitsFound.size() < limit; v--) {
            CommitInfo info;
            try {
                info = log.getCommitInfoAt(v);
            } catch (RuntimeException e) {
                // Versions before the oldest retained log file are gone by design (log retention).
                break;
            }
            Map<String, String> params = new LinkedHashMap<>();
            info.getOperationParameters().forEach((k, value) -> params.put(k, DeltaLogJson.unquote(value)));
            commitsFound.add(new TableCommit(v, info.getTimestamp().toInstant(), info.getOperation(), params,
                    info.getOperationMetrics().orElse(Map.of()), info.getEngineInfo().orElse("")));
        }
        return commitsFound;
    }

    @Override
    public List<TableCommit> historySince(long fromVersion) {
        if (!exists()) {
            return List.of();
        }
        List<TableCommit> commits = new ArrayList<>();
        long earliest = Math.max(0, fromVersion);
        java.util.Iterator<io.delta.standalone.VersionLog> changes;
        try {
            changes = log.getChanges(earliest, true);
            if (!changes.hasNext()) {
                return commits;
            }
        } catch (RuntimeException e) {
            // The versions asked for are gone (log retention): from the oldest retained one, version by version.
            return LakeTable.super.historySince(fromVersion);
        }
        while (changes.hasNext()) {
            io.delta.standalone.VersionLog version = changes.next();
            try (io.delta.storage.CloseableIterator<io.delta.standalone.actions.Action> actions =
                         version.getActionsIterator()) {
                while (actions.hasNext()) {
                    if (actions.next() instanceof CommitInfo info) {
                        Map<String, String> params = new LinkedHashMap<>();
                        info.getOperationParameters().forEach((k, value) -> params.put(k, DeltaLogJson.unquote(value)));
                        commits.add(new TableCommit(version.getVersion(), info.getTimestamp().toInstant(),
                                info.getOperation(), params, info.getOperationMetrics().orElse(Map.of()),
                                info.getEngineInfo().orElse("")));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("reading version " + version.getVersion() + " of " + location(),
                        e);
            }
        }
        return commits;
    }

    @Override
    public long txnVersion(String appId) {
        log.update();
        return log.startTransaction().txnVersion(appId);
    }

    @Override
    public Map<String, Long> txnVersions(java.util.Collection<String> appIds) {
        log.update();
        io.delta.standalone.OptimisticTransaction txn = log.startTransaction();
        Map<String, Long> versions = new LinkedHashMap<>();
        appIds.forEach(id -> versions.put(id, txn.txnVersion(id)));
        return versions;
    }

    @Override
    public Map<SourceFact, String> sourceFacts(java.util.Collection<SourceFact> facts) {
        return sourceFacts.read(facts);
    }

    @Override
    public List<SchemaChange> schemaHistory() {
        return new SchemaHistoryReader(log, location()).read();
    }

    @Override
    public List<DataFile> copyRows(List<DataFile> dataFiles, int writers, int readers) {
        return files.copyRows(dataFiles, writers, readers);
    }

    @Override
    public RowReader openRows(DataFile file) {
        return files.openRows(file);
    }

    @Override
    public RowReader openRows(DataFile file, java.util.Set<String> columns) {
        return files.openRows(file, columns);
    }

    @Override
    public boolean mayHoldAnyKey(DataFile file, List<String> keyColumns, java.util.Collection<List<Object>> keys) {
        return files.mayHoldAnyKey(file, keyColumns, keys);
    }

    @Override
    public RowReader openRows(List<DataFile> dataFiles, int parallelism) {
        return files.openRows(dataFiles, parallelism);
    }

    @Override
    public TableOptions options() {
        return options;
    }

    @Override
    public long lastCheckpointVersion() {
        Path marker = new Path(new Path(root, "_delta_log"), "_last_checkpoint");
        try {
            FileSystem fs = marker.getFileSystem(conf);
            if (!fs.exists(marker)) {
                return -1;
            }
            try (InputStream in = fs.open(marker)) {
                return DeltaLogJson.read(in).path("version").asLong(-1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + marker, e);
        }
    }

    @Override
    public DataFileWriter newDataFileWriter() {
        return files.newWriter(null);
    }

    @Override
    public DataFileWriter newDataFileWriter(Schema recordSchema) {
        return files.newWriter(recordSchema);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R apply(TableChange<R> change) {
        Object result;
        if (change instanceof BatchCommit batch) {
            result = commits.run(new BatchCommitter(batch, log, options, location()));
        } else if (change instanceof MergeCommit merge) {
            result = commits.run(new MergeCommitter(merge, log, options, location()));
        } else if (change instanceof FileRewrite rewrite) {
            result = commits.run(new FileRewriteCommitter(rewrite, log, options, location()));
        } else if (change instanceof TableChange.Create create) {
            result = schemas.createIfAbsent(create.avroSchema(), create.writerSchemaRef(), create.keyColumns());
        } else if (change instanceof TableChange.EvolveSchema evolve) {
            result = schemas.evolve(evolve.writerSchema(), evolve.writerSchemaRef());
        } else if (change instanceof TableChange.RecordSourceFacts facts) {
            sourceFacts.record(facts.facts());
            result = null;
        } else if (change instanceof TableChange.Vacuum vacuum) {
            result = new TableVacuum(log, conf, root, options.clock()).run(vacuum.retention(), vacuum.dryRun());
        } else {
            throw new IllegalArgumentException("unknown table change " + change);
        }
        return (R) result;
    }
}
