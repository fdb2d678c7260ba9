package dev.lakehouse.table;

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
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * {@link RowReader} on parquet-avro. The file is read with the table's current file schema as the Avro read
 * schema: parquet-avro fills fields the file lacks with their defaults, and every table field defaults to null,
 * so files written before a schema change read with the new columns null (at any depth).
 */
final class ParquetRowReader implements RowReader {

    private final ParquetReader<GenericRecord> reader;
    private final Schema tableSchema;
    private final boolean sameSchema;
    private final Map<String, Object> identityValues = new java.util.HashMap<>();

    /** A configuration for reading files with {@code fileSchema} as the Avro read schema; share it across files. */
    static Configuration readConf(Configuration baseConf, Schema fileSchema) {
        Configuration conf = new Configuration(baseConf);
        AvroReadSupport.setAvroReadSchema(conf, fileSchema);
        return conf;
    }

    /** @param conf from {@link #readConf} for {@code fileSchema} */
    ParquetRowReader(Configuration conf, Path file, Schema tableSchema, Schema fileSchema, PartitionSpec spec,
                     Map<String, String> partitionValues) {
        this.tableSchema = tableSchema;
        this.sameSchema = fileSchema == tableSchema;
        for (PartitionField field : spec.fields()) {
            if (field.transform() == PartitionTransform.IDENTITY) {
                Schema type = TableSchemas.nonNullBranches(tableSchema.getField(field.column()).schema()).get(0);
                identityValues.put(field.column(), typed(partitionValues.get(field.column()), type));
            }
        }
        try {
            this.reader = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(file, conf))
                    .withDataModel(GenericData.get())
                    .withConf(conf)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open data file " + file, e);
        }
    }

    @Override
    public GenericRecord next() {
        GenericRecord row;
        try {
            row = reader.read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a data file", e);
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
