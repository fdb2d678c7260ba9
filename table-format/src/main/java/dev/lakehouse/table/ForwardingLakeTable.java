package dev.lakehouse.table;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * A {@link LakeTable} that forwards every call to another: the base of decorators, which override what they
 * change. Writes all reach {@link #apply}, so a decorator of writes overrides that one method.
 */
public abstract class ForwardingLakeTable implements LakeTable {

    private final LakeTable table;

    protected ForwardingLakeTable(LakeTable table) {
        this.table = table;
    }

    /** The table calls are forwarded to. */
    protected final LakeTable delegate() {
        return table;
    }

    @Override
    public <R> R apply(TableChange<R> change) {
        return table.apply(change);
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
    public TableSnapshot snapshot() {
        return table.snapshot();
    }

    @Override
    public List<TableCommit> history(int limit) {
        return table.history(limit);
    }

    @Override
    public List<TableCommit> historySince(long fromVersion) {
        return table.historySince(fromVersion);
    }

    @Override
    public long txnVersion(String appId) {
        return table.txnVersion(appId);
    }

    @Override
    public Map<String, Long> txnVersions(Collection<String> appIds) {
        return table.txnVersions(appIds);
    }

    @Override
    public Map<SourceFact, String> sourceFacts(Collection<SourceFact> facts) {
        return table.sourceFacts(facts);
    }

    @Override
    public List<SchemaChange> schemaHistory() {
        return table.schemaHistory();
    }

    @Override
    public RowReader openRows(DataFile file) {
        return table.openRows(file);
    }

    @Override
    public RowReader openRows(DataFile file, Set<String> columns) {
        return table.openRows(file, columns);
    }

    @Override
    public boolean mayHoldAnyKey(DataFile file, List<String> keyColumns, java.util.Collection<List<Object>> keys) {
        return table.mayHoldAnyKey(file, keyColumns, keys);
    }

    @Override
    public RowReader openRows(List<DataFile> files, int parallelism) {
        return table.openRows(files, parallelism);
    }

    @Override
    public List<DataFile> copyRows(List<DataFile> files, int writers, int readers) {
        return table.copyRows(files, writers, readers);
    }

    @Override
    public TableOptions options() {
        return table.options();
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
}
