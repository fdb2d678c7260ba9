package dev.lakehouse.table.parquet;

import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.PartitionTransform;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.TableSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.RecordReader;

/**
 * {@link RowReader} of one data file, read into records of the table's current file schema by the file's own column
 * types ({@link TypedRecordMaterializer}): fields the file lacks read as null (every table field defaults to null),
 * so files written before a schema change read with the new columns null (at any depth), and files of other writers
 * (Spark's INT96 or microsecond timestamps, decimals in any physical type, any list layout) read with their values
 * unchanged.
 *
 * <p>The file is opened with its length from the table's log (no status request, which on S3 is a round trip)
 * and read row group by row group with converters shared across the files of a reading thread
 * ({@link ParquetConverters}).
 */
public final class ParquetRowReader implements RowReader {

    private final ParquetFileReader reader;
    private final ParquetConverters.Prepared converters;
    private RecordReader<GenericRecord> rowGroup;
    private long rowsLeftInRowGroup;
    private final Schema tableSchema;
    private final boolean sameSchema;
    private final Map<String, Object> identityValues = new java.util.HashMap<>();

    /**
     * @param converters of the reading thread, for {@code fileSchema}
     * @param logPath the file's path as the table's log names it, for errors
     * @param fileLength the file's length in bytes, from the log; 0 if unknown
     */
    public ParquetRowReader(ParquetConverters converters, Configuration conf, Path file, String logPath, long fileLength,
                     Schema tableSchema, Schema fileSchema, PartitionSpec spec, Map<String, String> partitionValues) {
        this.tableSchema = tableSchema;
        this.sameSchema = fileSchema == tableSchema;
        for (PartitionField field : spec.fields()) {
            if (field.transform() == PartitionTransform.IDENTITY && tableSchema.getField(field.column()) != null) {
                Schema type = TableSchemas.nonNullBranches(tableSchema.getField(field.column()).schema()).get(0);
                identityValues.put(field.column(), typed(partitionValues.get(field.column()), type));
            }
        }
        try {
            // A length the log does not know (0) is asked of the store.
            this.reader = ParquetFileReader.open(KnownLengthInputFile.of(file, fileLength, conf),
                    converters.readOptions());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open data file " + file, e);
        }
        try {
            this.converters = converters.forFile(reader.getFooter().getFileMetaData(), logPath);
            reader.setRequestedSchema(this.converters.requestedSchema());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public GenericRecord next() {
        GenericRecord row;
        try {
            while (rowsLeftInRowGroup == 0) {
                PageReadStore pages = reader.readNextRowGroup();
                if (pages == null) {
                    return null;
                }
                rowGroup = converters.columnIO().getRecordReader(pages, converters.materializer(),
                        FilterCompat.NOOP);
                rowsLeftInRowGroup = pages.getRowCount();
            }
            rowsLeftInRowGroup--;
            row = rowGroup.read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read data file " + reader.getFile(), e);
        }
        if (row == null || sameSchema) {
            return row;
        }
        GenericRecord full = new GenericData.Record(tableSchema);
        for (Schema.Field field : tableSchema.getFields()) {
            full.put(field.pos(), identityValues.containsKey(field.name()) ? identityValues.get(field.name())
                    : row.get(field.name()));
        }
        return full;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close a data file reader", e);
        }
    }

    /** The Avro value of a Delta partition value string (the inverse of {@link PartitionValues}). */
    private static Object typed(String value, Schema type) {
        if (value == null) {
            return null;
        }
        if (type.getLogicalType() instanceof LogicalTypes.Date) {
            return (int) LocalDate.parse(value).toEpochDay();
        }
        return switch (type.getType()) {
            case INT -> Integer.parseInt(value);
            case LONG -> Long.parseLong(value);
            case BOOLEAN -> Boolean.parseBoolean(value);
            case ENUM -> new GenericData.EnumSymbol(type, value);
            default -> value;
        };
    }
}
