package dev.lakehouse.table.parquet;

import dev.lakehouse.table.DataFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream of new data files of a partition, written column by column: rows of files that have the table's
 * file schema are copied value by value from their decoded pages ({@link #copy}), without building records;
 * rows of older files come as records ({@link #write}) and go through parquet-avro into the same columns. Files
 * are rolled at the table's target size, as {@link ParquetDataFileWriter} rolls them, with the same names,
 * footers (the Avro schema included) and statistics.
 *
 * <p>Not thread-safe: one per writing thread. Nothing is visible in the table until the files are committed;
 * {@link #abort()} deletes what was written.
 */
final class ColumnarOutput {

    private static final Logger LOG = LoggerFactory.getLogger(ColumnarOutput.class);
    /** How often (in rows) the buffered size is compared with the row group and file limits. */
    private static final int SIZE_CHECK_INTERVAL = 1_000;

    private final ParquetDataFileWriter.Layout layout;
    private final String relativeDirectory;
    private final Map<String, String> partitionValues;
    private final MessageType schema;
    private final List<ColumnDescriptor> columns;
    private final ParquetProperties properties;
    private final CodecFactory codecs;
    private final long rowGroupBytes;
    private final String writerTag = UUID.randomUUID().toString();
    private final Map<String, String> footerMetadata;
    private final GroupConverter ignoredValues;
    private final List<DataFile> finished = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();
    private int fileSequence;

    // The open file, if any.
    private Path path;
    private String relativePath;
    private ParquetFileWriter file;
    private ColumnChunkPageWriteStore pageStore;
    private ColumnWriteStore store;
    private ColumnWriter[] writers;
    private RecordConsumer recordConsumer;
    private AvroWriteSupport<GenericRecord> recordWriter;
    private long rowsInFile;
    private long rowsInRowGroup;
    /** Whether records went through parquet-avro's consumer since it was last flushed. */
    private boolean recordsWritten;

    /**
     * @param relativeDirectory the partition's directory under the table root, as Hive names it ("" if none)
     * @param partitionValues the partition's values, as the log records them
     */
    ColumnarOutput(ParquetDataFileWriter.Layout layout, String relativeDirectory,
                   Map<String, String> partitionValues) {
        this.layout = layout;
        this.relativeDirectory = relativeDirectory;
        this.partitionValues = partitionValues;
        this.schema = ParquetFileSchema.of(layout.conf(), layout.fileSchema());
        this.columns = schema.getColumns();
        this.properties = KeyBloomFilters.properties(layout.bloomFilterColumns());
        this.codecs = new CodecFactory(layout.conf(), properties.getPageSizeThreshold());
        this.rowGroupBytes = ParquetDataFileWriter.rowGroupBytes(layout.targetFileBytes());
        // What parquet-avro writes, so these files read exactly like the ones ingestion writes.
        this.footerMetadata = Map.of("parquet.avro.schema", layout.fileSchema().toString(), "writer.model.name",
                "avro");
        this.ignoredValues = ignoringConverter(schema);
    }

    /** The Parquet schema of the files written: a copied row group must have exactly this schema. */
    MessageType schema() {
        return schema;
    }

    /**
     * Copies every row of {@code rowGroup}, read from a file with {@link #schema()}, value by value.
     *
     * @param createdBy the writer named in the source file's footer (it tells the reader about old encodings)
     */
    void copy(PageReadStore rowGroup, String createdBy) {
        ColumnReadStoreImpl source = new ColumnReadStoreImpl(rowGroup, ignoredValues, schema, createdBy);
        ColumnReader[] readers = new ColumnReader[columns.size()];
        long[] valuesLeft = new long[columns.size()];
        for (int c = 0; c < readers.length; c++) {
            readers[c] = source.getColumnReader(columns.get(c));
            valuesLeft[c] = readers[c].getTotalValueCount();
        }
        for (long row = rowGroup.getRowCount(); row > 0; row--) {
            ensureOpen();
            flushHeldBackNulls();
            for (int c = 0; c < readers.length; c++) {
                valuesLeft[c] = copyRowOfColumn(readers[c], writers[c], columns.get(c), valuesLeft[c]);
            }
            store.endRecord();
            rowWritten();
        }
    }

    /** Writes one record of the table's schema (for files written before a schema change). */
    void write(GenericRecord record) {
        ensureOpen();
        recordWriter.write(record);
        recordsWritten = true;
        rowWritten();
    }

    /** Closes the open file and returns every file written, complete with statistics. */
    List<DataFile> finish() {
        if (file != null) {
            closeFile();
        }
        codecs.release();
        return List.copyOf(finished);
    }

    /** Closes and deletes everything written, best effort (leftovers are orphans for vacuum). */
    void abort() {
        if (file != null) {
            try {
                store.close();
                file.end(footerMetadata);
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing {} while aborting: {}", path, e.toString());
            }
            file = null;
        }
        codecs.release();
        ParquetDataFileWriter.deleteBestEffort(written, layout.conf(), "an aborted rewrite");
        written.clear();
        finished.clear();
    }

    /**
     * Copies the values of one row of one column: one value, or for a repeated column every value up to the next
     * row (a repetition level of 0 starts a row). Nulls keep their definition level, so nested nulls stay exact.
     *
     * @return the column's values left in the row group
     */
    private static long copyRowOfColumn(ColumnReader reader, ColumnWriter writer, ColumnDescriptor column,
                                        long valuesLeft) {
        int maxDefinition = column.getMaxDefinitionLevel();
        do {
            int repetition = reader.getCurrentRepetitionLevel();
            int definition = reader.getCurrentDefinitionLevel();
            if (definition == maxDefinition) {
                switch (column.getPrimitiveType().getPrimitiveTypeName()) {
                    case INT32 -> writer.write(reader.getInteger(), repetition, definition);
                    case INT64 -> writer.write(reader.getLong(), repetition, definition);
                    case BOOLEAN -> writer.write(reader.getBoolean(), repetition, definition);
                    case FLOAT -> writer.write(reader.getFloat(), repetition, definition);
                    case DOUBLE -> writer.write(reader.getDouble(), repetition, definition);
                    default -> writer.write(reader.getBinary(), repetition, definition);
                }
            } else {
                writer.writeNull(repetition, definition);
            }
            reader.consume();
            valuesLeft--;
        } while (valuesLeft > 0 && reader.getCurrentRepetitionLevel() > 0);
        return valuesLeft;
    }

    /**
     * parquet-avro's record consumer holds back the nulls of absent groups (a nested column a record lacks) and
     * writes them before the group's next value or when flushed. Values copied straight into the columns must not
     * overtake them (they would land in the rows of earlier records), and a row group must not be flushed without
     * them (the column would have rows but no values: "writing empty page").
     */
    private void flushHeldBackNulls() {
        if (recordsWritten) {
            recordConsumer.flush();
            recordsWritten = false;
        }
    }

    private void rowWritten() {
        rowsInFile++;
        rowsInRowGroup++;
        if (rowsInRowGroup % SIZE_CHECK_INTERVAL != 0) {
            return;
        }
        try {
            // A full row group is written out first: the file's size then counts it compressed, as parquet-avro's
            // writer counts it, so files come out as large as the ones ingestion writes.
            if (store.getBufferedSize() >= rowGroupBytes) {
                flushRowGroup();
                startRowGroup();
            }
            if (file.getPos() + store.getBufferedSize() >= layout.targetFileBytes()) {
                closeFile();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write data file " + path, e);
        }
    }

    private void ensureOpen() {
        if (file != null) {
            return;
        }
        String name = ParquetDataFileWriter.fileName(fileSequence++, writerTag, layout.codec());
        String relative = relativeDirectory.isEmpty() ? name : relativeDirectory + "/" + name;
        path = new Path(layout.tableRoot(), relative);
        relativePath = ParquetDataFileWriter.encode(relative);
        try {
            file = new ParquetFileWriter(HadoopOutputFile.fromPath(path, layout.conf()), schema,
                    ParquetFileWriter.Mode.CREATE, rowGroupBytes, 0);
            written.add(path);
            file.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data file " + path, e);
        }
        rowsInFile = 0;
        startRowGroup();
    }

    private void startRowGroup() {
        pageStore = new ColumnChunkPageWriteStore(codecs.getCompressor(layout.codec()), schema,
                properties.getAllocator(), properties.getColumnIndexTruncateLength(),
                properties.getPageWriteChecksumEnabled());
        store = properties.newColumnWriteStore(schema, pageStore, pageStore);
        writers = new ColumnWriter[columns.size()];
        for (int c = 0; c < writers.length; c++) {
            writers[c] = store.getColumnWriter(columns.get(c));
        }
        recordConsumer = new ColumnIOFactory().getColumnIO(schema).getRecordWriter(store);
        recordWriter = new AvroWriteSupport<>(schema, layout.fileSchema(),
                layout.fileSchema() == layout.tableSchema() ? GenericData.get()
                        : new ParquetDataFileWriter.ByNameData());
        recordWriter.init(layout.conf()); // list layout and other settings, as parquet-avro's writer reads them
        recordWriter.prepareForWrite(AvroFileWriteSupport.forSchema(recordConsumer, schema));
        rowsInRowGroup = 0;
    }

    private void flushRowGroup() throws IOException {
        flushHeldBackNulls();
        if (rowsInRowGroup > 0) {
            file.startBlock(rowsInRowGroup);
            store.flush();
            pageStore.flushToFileWriter(file);
            file.endBlock();
        }
        store.close();
    }

    private void closeFile() {
        try {
            flushRowGroup();
            file.end(footerMetadata);
            long size = FileSystem.get(path.toUri(), layout.conf()).getFileStatus(path).getLen();
            String stats = ParquetFileStats.toDeltaJson(file.getFooter(), layout.fileSchema());
            finished.add(new DataFile(relativePath, new LinkedHashMap<>(partitionValues), size, rowsInFile, stats,
                    layout.clock().millis()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot complete data file " + path, e);
        } finally {
            file = null;
        }
    }

    /**
     * A converter tree that takes no values: the column readers need one to exist, but values are read with their
     * typed getters and written straight to the output columns.
     */
    private static GroupConverter ignoringConverter(GroupType group) {
        Converter[] children = new Converter[group.getFieldCount()];
        for (int i = 0; i < children.length; i++) {
            Type field = group.getType(i);
            children[i] = field.isPrimitive() ? new PrimitiveConverter() {
            } : ignoringConverter(field.asGroupType());
        }
        return new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
                return children[fieldIndex];
            }

            @Override
            public void start() {
            }

            @Override
            public void end() {
            }
        };
    }
}
