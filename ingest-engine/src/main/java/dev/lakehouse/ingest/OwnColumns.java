package dev.lakehouse.ingest;

import org.apache.avro.Schema;

/**
 * The columns a pipeline adds to every producer's writer schema ({@code _kafka}, the change columns), in one place
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
        Schema schema = settings.kafkaMetadata() ? KafkaMetadataColumn.addTo(producerSchema) : producerSchema;
        return ChangeColumns.any(settings) ? ChangeColumns.addTo(schema, settings) : schema;
    }
}
