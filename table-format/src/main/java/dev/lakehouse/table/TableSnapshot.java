package dev.lakehouse.table;

import dev.lakehouse.table.delta.TableMetadata;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * One version of a table, as read from its log.
 *
 * @param version the table version
 * @param avroSchema the table's (normalized) Avro schema: the reader schema for records bound for this table
 * @param deltaSchemaJson the Delta schema as the log stores it
 * @param partitionSpec partition columns and how they are derived
 * @param properties the table's properties
 * @param files the live data files
 */
public record TableSnapshot(long version, Schema avroSchema, String deltaSchemaJson, PartitionSpec partitionSpec,
                            Map<String, String> properties, List<DataFile> files) {

    public TableSnapshot {
        properties = Map.copyOf(properties);
        files = List.copyOf(files);
    }

    /**
     * The key columns the table was created with ({@link LakeTable#createIfAbsent(Schema, String, List)}); empty
     * for a table that appends, or a keyed table created before tables recorded their key.
     */
    public List<String> keyColumns() {
        String columns = properties.get(TableMetadata.KEY_COLUMNS_PROPERTY);
        return columns == null || columns.isEmpty() ? List.of() : List.of(columns.split(","));
    }

    public long totalBytes() {
        return files.stream().mapToLong(DataFile::sizeBytes).sum();
    }

    public long totalRecords() {
        return files.stream().mapToLong(DataFile::numRecords).sum();
    }
}
