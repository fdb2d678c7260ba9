package dev.lakehouse.table.parquet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes records of a flat schema (top-level fields of primitive types, each required or nullable) into Parquet
 * with one precomputed writer per field, instead of parquet-avro's {@code AvroWriteSupport}, which inspects every
 * value's schema, union and logical type as it goes. Ingestion encodes every row through this path, so its cost
 * per value is the writer thread's, the busiest of a pipeline.
 *
 * <p>The output is the same file {@code AvroWriteSupport} writes: the same Parquet schema ({@link ParquetFileSchema}), the same values, and the same footer metadata ({@code parquet.avro.schema} and
 * writer model {@code avro}), so readers see no difference. Only schemas that {@link #supports} qualify; everything
 * else (nested records, arrays, maps, enums, bytes, fixed, decimals, strings with a logical type, data models other
 * than plain {@link GenericData}) keeps parquet-avro's writer.
 */
final class FlatRecordWriteSupport extends WriteSupport<GenericRecord> {

    /** Footer key under which parquet-avro keeps the Avro schema (read back by {@code AvroReadSupport}). */
    private static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";

    private final Schema schema;
    private final String[] names;
    private final FieldWriter[] writers;
    private final boolean[] required;
    private RecordConsumer consumer;

    private FlatRecordWriteSupport(Schema schema) {
        this.schema = schema;
        List<Schema.Field> fields = schema.getFields();
        this.names = new String[fields.size()];
        this.writers = new FieldWriter[fields.size()];
        this.required = new boolean[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            Schema.Field field = fields.get(i);
            Schema type = nonNull(field.schema());
            names[i] = field.name();
            required[i] = type == field.schema();
            writers[i] = writerFor(type.getType());
        }
    }

    /**
     * Whether records of {@code schema}, held in {@code model}, can be written by this class: a record of fields that
     * are boolean, int, long, float, double or string (strings without a logical type; ints and longs with any, as
     * dates and timestamps are their numbers in plain {@link GenericData}), each alone or in a union with null.
     */
    static boolean supports(Schema schema, GenericData model) {
        if (model != GenericData.get() || schema.getType() != Schema.Type.RECORD) {
            return false;
        }
        for (Schema.Field field : schema.getFields()) {
            Schema type = nonNull(field.schema());
            if (type == null) {
                return false;
            }
            boolean simple = switch (type.getType()) {
                case BOOLEAN, FLOAT, DOUBLE -> type.getLogicalType() == null;
                case INT, LONG -> true; // Avro has no decimal on them; dates and times are plain numbers here
                case STRING -> type.getLogicalType() == null;
                default -> false;
            };
            if (!simple) {
                return false;
            }
        }
        return true;
    }

    /** A Parquet writer builder that writes with this class; the caller checked {@link #supports}. */
    static ParquetWriter.Builder<GenericRecord, ?> builder(OutputFile file, Schema schema) {
        return new Builder(file, schema);
    }

    /** The field's type without its null branch; the field's own schema when it is not a union; null otherwise. */
    private static Schema nonNull(Schema fieldSchema) {
        if (fieldSchema.getType() != Schema.Type.UNION) {
            return fieldSchema;
        }
        List<Schema> branches = fieldSchema.getTypes();
        if (branches.size() != 2) {
            return null;
        }
        if (branches.get(0).getType() == Schema.Type.NULL) {
            return branches.get(1).getType() == Schema.Type.NULL ? null : branches.get(1);
        }
        return branches.get(1).getType() == Schema.Type.NULL ? branches.get(0) : null;
    }

    @Override
    public String getName() {
        return "avro";
    }

    @Override
    public WriteContext init(Configuration configuration) {
        MessageType parquetSchema = ParquetFileSchema.of(configuration, schema);
        Map<String, String> metadata = new HashMap<>();
        metadata.put(AVRO_SCHEMA_KEY, schema.toString());
        return new WriteContext(parquetSchema, metadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    /**
     * @throws NullPointerException naming the field when a required field holds null
     * @throws ClassCastException when a value is not of its field's type
     */
    @Override
    public void write(GenericRecord record) {
        consumer.startMessage();
        for (int i = 0; i < writers.length; i++) {
            Object value = record.get(i);
            if (value == null) {
                if (required[i]) {
                    throw new NullPointerException("null value for required field '" + names[i] + "' of "
                            + schema.getFullName());
                }
                continue;
            }
            consumer.startField(names[i], i);
            writers[i].write(consumer, value);
            consumer.endField(names[i], i);
        }
        consumer.endMessage();
    }

    private static FieldWriter writerFor(Schema.Type type) {
        return switch (type) {
            case BOOLEAN -> (out, value) -> out.addBoolean((Boolean) value);
            // Any number, narrowed or widened, as parquet-avro takes it (a converter may put an Integer in a long).
            case INT -> (out, value) -> out.addInteger(value instanceof Character c ? c : ((Number) value).intValue());
            case LONG -> (out, value) -> out.addLong(((Number) value).longValue());
            case FLOAT -> (out, value) -> out.addFloat(((Number) value).floatValue());
            case DOUBLE -> (out, value) -> out.addDouble(((Number) value).doubleValue());
            case STRING -> (out, value) -> out.addBinary(string(value));
            default -> throw new IllegalArgumentException("not a flat field type: " + type);
        };
    }

    /** As parquet-avro converts strings: Avro's Utf8 without copying its bytes, any other text as UTF-8. */
    private static Binary string(Object value) {
        if (value instanceof Utf8 utf8) {
            return Binary.fromReusedByteArray(utf8.getBytes(), 0, utf8.getByteLength());
        }
        if (value instanceof CharSequence text) {
            return Binary.fromCharSequence(text);
        }
        return Binary.fromCharSequence(value.toString());
    }

    /** Writes one non-null value of a field. */
    @FunctionalInterface
    private interface FieldWriter {
        void write(RecordConsumer out, Object value);
    }

    private static final class Builder extends ParquetWriter.Builder<GenericRecord, Builder> {
        private final Schema schema;

        Builder(OutputFile file, Schema schema) {
            super(file);
            this.schema = schema;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<GenericRecord> getWriteSupport(Configuration conf) {
            return new FlatRecordWriteSupport(schema);
        }
    }
}
