package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.RecordBatch;

/**
 * The optional {@code _kafka} column ({@link PipelineSettings#kafkaMetadata()}): one nullable struct per row with the
 * Kafka record it came from, as Spark's Kafka source exposes it, so any row can be traced back to its message.
 *
 * <pre>
 * _kafka struct&lt;topic: string, partition: integer, offset: long, timestamp: timestamp, key: binary&gt;
 * </pre>
 *
 * Every field is nullable; {@code timestamp} is null for a record without one, {@code key} for a record without a
 * key. The column is added to the table like any new field (its own schema commit), so turning the setting on for an
 * existing table adds it, and rows written before hold null.
 */
final class KafkaMetadataColumn {

    /** The column's name. A writer schema with a field of this name is refused while the setting is on. */
    static final String NAME = "_kafka";

    private static final Schema TYPE = metadataType();

    private KafkaMetadataColumn() {
    }

    /** A writer schema that has a field of the column's name already. */
    static final class NameTakenException extends IllegalArgumentException {
        NameTakenException(String message) {
            super(message);
        }
    }

    private static Schema metadataType() {
        Schema timestamp = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema record = Schema.createRecord("KafkaRecord", "The Kafka record a row came from", "lakehouse.kafka",
                false);
        record.setFields(List.of(
                field("topic", Schema.create(Schema.Type.STRING)),
                field("partition", Schema.create(Schema.Type.INT)),
                field("offset", Schema.create(Schema.Type.LONG)),
                field("timestamp", timestamp),
                field("key", Schema.create(Schema.Type.BYTES))));
        return record;
    }

    private static Schema.Field field(String name, Schema type) {
        return new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), type), null,
                JsonProperties.NULL_VALUE);
    }

    /**
     * {@code writer} with the {@code _kafka} field appended: the schema the table must be able to hold.
     *
     * @throws NameTakenException if the writer schema has a field named {@code _kafka} already
     */
    static Schema addTo(Schema writer) {
        if (writer.getField(NAME) != null) {
            throw new NameTakenException("the writer schema " + writer.getFullName() + " has a field named '"
                    + NAME + "', the column the pipeline's kafka-metadata setting adds; rename the field, or turn "
                    + "kafka-metadata off");
        }
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : writer.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(NAME, Schema.createUnion(Schema.create(Schema.Type.NULL), TYPE), null,
                JsonProperties.NULL_VALUE));
        Schema copy = Schema.createRecord(writer.getName(), writer.getDoc(), writer.getNamespace(), writer.isError(),
                fields);
        writer.getObjectProps().forEach(copy::addProp);
        return copy;
    }

    /**
     * Sets the {@code _kafka} column of {@code row} (a row of the table schema, which has the column) from
     * {@code record}.
     */
    static void set(GenericRecord row, ConsumerRecord<byte[], byte[]> record) {
        Schema.Field column = row.getSchema().getField(NAME);
        Schema type = recordBranch(column.schema());
        GenericData.Record metadata = new GenericData.Record(type);
        metadata.put("topic", record.topic());
        metadata.put("partition", record.partition());
        metadata.put("offset", record.offset());
        metadata.put("timestamp", record.timestamp() == RecordBatch.NO_TIMESTAMP ? null : record.timestamp());
        metadata.put("key", record.key() == null ? null : ByteBuffer.wrap(record.key()));
        row.put(column.pos(), metadata);
    }

    private static Schema recordBranch(Schema type) {
        if (type.getType() == Schema.Type.UNION) {
            for (Schema branch : type.getTypes()) {
                if (branch.getType() == Schema.Type.RECORD) {
                    return branch;
                }
            }
        }
        return type;
    }
}
