package dev.lakehouse.table.delta;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.ParallelRowReader;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.TableNotFoundException;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.TableSchemas;
import dev.lakehouse.table.parquet.ColumnarRewrite;
import dev.lakehouse.table.parquet.KeyBloomFilters;
import dev.lakehouse.table.parquet.KnownLengthInputFile;
import dev.lakehouse.table.parquet.ParquetConverters;
import dev.lakehouse.table.parquet.ParquetDataFileWriter;
import dev.lakehouse.table.parquet.ParquetRowReader;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.actions.Metadata;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writers and readers of a table's data files for its current schema. Both cache what is costly to derive (the
 * writer layout, the reader's Hadoop configuration) per schema, since they are asked for once per batch or, in
 * compaction, once per small file.
 */
final class DataFileAccess {

    /** The writer layout of the last schema written, with that schema's text; one field so both change together. */
    private record CachedLayout(String schemaJson, ParquetDataFileWriter.Layout layout) {
    }

    private final DeltaLog log;
    private final Configuration conf;
    private final Path root;
    private final TableOptions options;
    private volatile CachedLayout cachedLayout;

    DataFileAccess(DeltaLog log, Configuration conf, Path root, TableOptions options) {
        this.log = log;
        this.conf = conf;
        this.root = root;
        this.options = options;
    }

    /** See {@link LakeTable#newDataFileWriter(Schema)}; {@code recordSchema} null means the table schema. */
    DataFileWriter newWriter(Schema recordSchema) {
        return new ParquetDataFileWriter(layout(recordSchema));
    }

    /** The writer layout for records of {@code recordSchema} (null: the table schema), cached per schema text. */
    private ParquetDataFileWriter.Layout layout(Schema recordSchema) {
        Metadata metadata = currentMetadata("create it first");
        String tableSchemaJson = metadata.getConfiguration().get(TableMetadata.AVRO_SCHEMA_PROPERTY);
        String layoutSchemaJson = recordSchema == null ? tableSchemaJson : recordSchema.toString();
        CachedLayout cached = cachedLayout;
        // Compare schema text, not parsed schemas: this runs once per batch and the text rarely changes.
        if (cached == null || !layoutSchemaJson.equals(cached.schemaJson())) {
            Schema tableSchema = TableMetadata.avroSchema(metadata, root.toString());
            Schema writeSchema = tableSchema;
            if (recordSchema != null && !layoutSchemaJson.equals(tableSchemaJson)) {
                writeSchema = TableSchemas.normalize(recordSchema);
                if (TableSchemas.merge(tableSchema, writeSchema) != tableSchema) {
                    throw new IllegalArgumentException("records of schema " + recordSchema.getFullName() + " have "
                            + "columns table " + root + " lacks; evolve the table schema before writing them");
                }
            }
            PartitionSpec spec = TableMetadata.partitionSpec(metadata);
            cached = new CachedLayout(layoutSchemaJson, new ParquetDataFileWriter.Layout(root, conf, writeSchema,
                    TableMetadata.fileSchema(writeSchema, spec), spec, options.codec(), options.targetFileSizeBytes(),
                    options.clock(), keyColumns(metadata)));
            cachedLayout = cached;
        }
        return cached.layout();
    }

    /** The key columns the table recorded at its creation; empty for a table of appends. */
    private static List<String> keyColumns(Metadata metadata) {
        String columns = metadata.getConfiguration().get(TableMetadata.KEY_COLUMNS_PROPERTY);
        return columns == null || columns.isBlank() ? List.of() : List.of(columns.split(","));
    }

    /** See {@link LakeTable#copyRows}: the table's current layout, files of older schemas read as records. */
    List<DataFile> copyRows(List<DataFile> files, int writers, int readers) {
        ParquetDataFileWriter.Layout layout = layout(null);
        ReadSetup setup = readSetup();
        return new ColumnarRewrite(layout, setup::open).run(files, writers, readers);
    }

    /** See {@link LakeTable#openRows(DataFile)}. */
    RowReader openRows(DataFile file) {
        return readSetup().open(file);
    }

    /** See {@link LakeTable#openRows(DataFile, java.util.Set)}: a read schema of just those columns. */
    RowReader openRows(DataFile file, java.util.Set<String> columns) {
        ReadSetup all = readSetup();
        Schema table = projection(all.tableSchema(), columns);
        Schema inFiles = all.fileSchema() == all.tableSchema() ? table : projection(all.fileSchema(), columns);
        return new ReadSetup(conf, root, table, inFiles, all.spec()).open(file);
    }

    private static Schema projection(Schema record, java.util.Set<String> columns) {
        List<Schema.Field> fields = new java.util.ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            if (columns.contains(field.name())) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    /** See {@link LakeTable#mayHoldAnyKey}: by the file's bloom filters ({@link KeyBloomFilters}). */
    boolean mayHoldAnyKey(DataFile file, List<String> keyColumns, java.util.Collection<List<Object>> keys) {
        return KeyBloomFilters.mayHoldAny(root, file, conf, keyColumns, keys);
    }

    /** See {@link LakeTable#openRows(List, int)}: the log is read and the schemas set up once for all files. */
    RowReader openRows(List<DataFile> dataFiles, int parallelism) {
        ReadSetup setup = readSetup();
        return new ParallelRowReader(dataFiles, setup::open, parallelism);
    }

    /**
     * What reading files of the current schema needs, derived from the log once; the converters are built once per
     * reading thread (they are not thread-safe) and file schema.
     */
    private record ReadSetup(Configuration conf, Path root, Schema tableSchema, Schema fileSchema,
                             PartitionSpec spec, ThreadLocal<ParquetConverters> converters) {
        ReadSetup(Configuration conf, Path root, Schema tableSchema, Schema fileSchema, PartitionSpec spec) {
            this(conf, root, tableSchema, fileSchema, spec, ThreadLocal.withInitial(() -> new ParquetConverters(conf, fileSchema)));
        }

        RowReader open(DataFile file) {
            return new ParquetRowReader(converters.get(), conf, KnownLengthInputFile.resolve(root, file), file.path(),
                    file.sizeBytes(), tableSchema, fileSchema, spec, file.partitionValues());
        }
    }

    private ReadSetup readSetup() {
        Metadata metadata = currentMetadata("");
        Schema tableSchema = TableMetadata.avroSchema(metadata, root.toString());
        PartitionSpec spec = TableMetadata.partitionSpec(metadata);
        Schema fileSchema = TableMetadata.fileSchema(tableSchema, spec);
        return new ReadSetup(conf, root, tableSchema, fileSchema, spec);
    }

    private Metadata currentMetadata(String hint) {
        Snapshot snapshot = log.update();
        if (!log.tableExists()) {
            throw new TableNotFoundException(root.toString(), hint);
        }
        return snapshot.getMetadata();
    }
}
