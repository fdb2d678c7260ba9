package dev.lakehouse.table.parquet;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * parquet-avro's {@link AvroWriteSupport} writing files of a {@link ParquetFileSchema}: the same records, footer
 * and list layout, with decimals stored in the physical types every engine reads by default
 * ({@link DecimalColumnsRecordConsumer}). Schemas without decimals pass straight to parquet-avro.
 */
final class AvroFileWriteSupport extends WriteSupport<GenericRecord> {

    private final MessageType parquetSchema;
    private final AvroWriteSupport<GenericRecord> avro;

    AvroFileWriteSupport(MessageType parquetSchema, Schema avroSchema, GenericData model) {
        this.parquetSchema = parquetSchema;
        this.avro = new AvroWriteSupport<>(parquetSchema, avroSchema, model);
    }

    /** A Parquet writer builder that writes records of {@code avroSchema}, held in {@code model}, with this class. */
    static ParquetWriter.Builder<GenericRecord, ?> builder(OutputFile file, Schema avroSchema, GenericData model) {
        return new Builder(file, avroSchema, model);
    }

    /** {@code consumer} as records of {@code parquetSchema} need it: decimals converted where there are any. */
    static RecordConsumer forSchema(RecordConsumer consumer, MessageType parquetSchema) {
        return ParquetFileSchema.hasDecimals(parquetSchema)
                ? new DecimalColumnsRecordConsumer(consumer, parquetSchema) : consumer;
    }

    @Override
    public String getName() {
        return avro.getName();
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return avro.init(configuration);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        avro.prepareForWrite(forSchema(recordConsumer, parquetSchema));
    }

    @Override
    public void write(GenericRecord record) {
        avro.write(record);
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
        return avro.finalizeWrite();
    }

    private static final class Builder extends ParquetWriter.Builder<GenericRecord, Builder> {
        private final Schema avroSchema;
        private final GenericData model;

        Builder(OutputFile file, Schema avroSchema, GenericData model) {
            super(file);
            this.avroSchema = avroSchema;
            this.model = model;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<GenericRecord> getWriteSupport(Configuration conf) {
            return new AvroFileWriteSupport(ParquetFileSchema.of(conf, avroSchema), avroSchema, model);
        }
    }
}
