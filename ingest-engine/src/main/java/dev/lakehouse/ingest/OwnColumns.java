package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import org.apache.avro.Schema;

/**
 * The columns a pipeline adds to every producer's writer schema ({@code _kafka}, the change columns, the Kafka key's
 * column), in one place
 * so that ingestion ({@link RecordConverter}) and the preview of a schema ({@link SchemaPreview}) can never disagree
 * about what the table must hold.
 */
final class OwnColumns {

    private OwnColumns() {
    }

    /**
     * The schema the table must hold for records of {@code producerSchema} under these settings.
     *
     * @throws KafkaMetadataColumn.NameTakenException when the producer's schema already has a field of one of the
     *                                                pipeline's own column names
     */
    static Schema addTo(Schema producerSchema, PipelineSettings settings) {
        Schema schema = settings.keys().kafkaKeyColumn() != null ? withKeyColumn(producerSchema, settings.keys().kafkaKeyColumn())
                : producerSchema;
        schema = settings.kafkaMetadata() ? KafkaMetadataColumn.addTo(schema) : schema;
        return ChangeColumns.any(settings) ? ChangeColumns.addTo(schema, settings) : schema;
    }

    /** The schema with a string column for the Kafka key first (table.kafka-key-column). */
    private static Schema withKeyColumn(Schema producer, String column) {
        if (producer.getType() != Schema.Type.RECORD) {
            return producer; // not a row: refused where rows are checked
        }
        if (producer.getField(column) != null) {
            throw new KafkaMetadataColumn.NameTakenException("the writer schema " + producer.getFullName() + " has a "
                    + "field named '" + column + "', the column table.kafka-key-column fills with the Kafka key; key "
                    + "the table by that field with table.key: [" + column + "] instead");
        }
        java.util.List<Schema.Field> fields = new java.util.ArrayList<>();
        fields.add(new Schema.Field(column, Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "the record's Kafka key", org.apache.avro.JsonProperties.NULL_VALUE));
        for (Schema.Field f : producer.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        Schema copy = Schema.createRecord(producer.getName(), producer.getDoc(), producer.getNamespace(),
                producer.isError(), fields);
        producer.getObjectProps().forEach(copy::addProp);
        return copy;
    }
}
