package dev.lakehouse.table;

import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;

/**
 * A table whose every write (create, schema change, batch commit, rewrite, vacuum), and every attempt of a commit
 * to write a log file, first makes sure that this process holds the table's {@link WriterLease}
 * ({@link WriterLease#ensureValid()}); reads are unchanged. Writing data files is allowed (they are
 * invisible until a commit), committing them is not.
 */
public final class LeasedLakeTable implements LakeTable {

    private final LakeTable table;
    private final WriterLease lease;

    public LeasedLakeTable(LakeTable table, WriterLease lease) {
        this.table = table;
        this.lease = lease;
        if (table instanceof DeltaLakeTable delta) {
            // A commit loop may try several times; each attempt writes a log file, so each one checks first.
            delta.guardCommits(lease::ensureValid);
        }
    }

    /** The lease this table checks. */
    public WriterLease lease() {
        return lease;
    }

    @Override
    public String location() {
        return table.location();
    }

    @Override
    public boolean exists() {
        return table.exists();
    }

    @Override
    public TableSnapshot createIfAbsent(Schema avroSchema) {
        lease.ensureValid();
        return table.createIfAbsent(avroSchema);
    }

    @Override
    public TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef) {
        lease.ensureValid();
        return table.createIfAbsent(avroSchema, writerSchemaRef);
    }

    @Override
    public TableSnapshot snapshot() {
        return table.snapshot();
    }

    @Override
    public List<TableCommit> history(int limit) {
        return table.history(limit);
    }

    @Override
    public long txnVersion(String appId) {
        return table.txnVersion(appId);
    }

    @Override
    public java.util.Map<String, Long> txnVersions(java.util.Collection<String> appIds) {
        return table.txnVersions(appIds);
    }

    @Override
    public java.util.Map<String, String> sourceFacts(java.util.Collection<String> keys) {
        return table.sourceFacts(keys);
    }

    @Override
    public void recordSourceFacts(java.util.Map<String, String> facts) {
        lease.ensureValid();
        table.recordSourceFacts(facts);
    }

    @Override
    public TableSnapshot evolveSchema(Schema writerSchema) {
        lease.ensureValid();
        return table.evolveSchema(writerSchema);
    }

    @Override
    public TableSnapshot evolveSchema(Schema writerSchema, String writerSchemaRef) {
        lease.ensureValid();
        return table.evolveSchema(writerSchema, writerSchemaRef);
    }

    @Override
    public List<SchemaChange> schemaHistory() {
        return table.schemaHistory();
    }

    @Override
    public List<DataFile> copyRows(List<DataFile> files, int writers, int readers) {
        return table.copyRows(files, writers, readers);
    }

    @Override
    public RowReader openRows(DataFile file) {
        return table.openRows(file);
    }

    @Override
    public RowReader openRows(DataFile file, java.util.Set<String> columns) {
        return table.openRows(file, columns);
    }

    @Override
    public RowReader openRows(List<DataFile> files, int parallelism) {
        return table.openRows(files, parallelism);
    }

    @Override
    public long rewrite(FileRewrite rewrite) {
        lease.ensureValid();
        return table.rewrite(rewrite);
    }

    @Override
    public TableOptions options() {
        return table.options();
    }

    @Override
    public VacuumResult vacuum(Duration retention, boolean dryRun) {
        if (!dryRun) {
            lease.ensureValid();
        }
        return table.vacuum(retention, dryRun);
    }

    @Override
    public long lastCheckpointVersion() {
        return table.lastCheckpointVersion();
    }

    @Override
    public DataFileWriter newDataFileWriter() {
        return table.newDataFileWriter();
    }

    @Override
    public DataFileWriter newDataFileWriter(Schema recordSchema) {
        return table.newDataFileWriter(recordSchema);
    }

    @Override
    public CommitOutcome commit(BatchCommit batch) {
        lease.ensureValid();
        return table.commit(batch);
    }
}
