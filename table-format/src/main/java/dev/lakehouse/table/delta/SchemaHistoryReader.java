package dev.lakehouse.table.delta;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.SchemaChange;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.CommitInfo;
import io.delta.standalone.actions.Metadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.avro.Schema;

/** Reads a table's schema history from its log (see {@link LakeTable#schemaHistory}). */
final class SchemaHistoryReader {

    private final DeltaLog log;
    private final String location;

    SchemaHistoryReader(DeltaLog log, String location) {
        this.log = log;
        this.location = location;
    }

    List<SchemaChange> read() {
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
            if (metadata == null || metadata.getConfiguration().get(TableMetadata.AVRO_SCHEMA_PROPERTY) == null) {
                continue;
            }
            Schema schema = TableMetadata.avroSchema(metadata, location);
            List<String> added = previous == null
                    ? schema.getFields().stream().map(Schema.Field::name).toList()
                    : TableMetadata.addedColumns(previous, schema);
            if (previous != null && added.isEmpty()) {
                previous = schema; // a property or enum-symbol change: no new column
                continue;
            }
            String operation = info != null ? info.getOperation() : previous == null ? "CREATE TABLE" : "ADD COLUMNS";
            String writer = info == null ? "" : DeltaLogJson.unquote(
                    info.getOperationParameters().getOrDefault(TableMetadata.WRITER_SCHEMA_PARAMETER, ""));
            Instant at = info != null ? info.getTimestamp().toInstant()
                    : Instant.ofEpochMilli(metadata.getCreatedTime().orElse(0L));
            changes.add(new SchemaChange(version.getVersion(), at, operation, added, writer, schema.getFields().size()));
            previous = schema;
        }
        return changes;
    }
}
