package dev.lakehouse.registry.serde;

/**
 * The payload's writer schema cannot be resolved to the requested reader schema by Avro's rules (e.g. the
 * reader has a field without default that the writer lacks, or a type that cannot be promoted).
 */
public final class SchemaResolutionException extends AvroDecodeException {

    private final int writerSchemaId;

    SchemaResolutionException(RecordContext context, int writerSchemaId, String detail) {
        super(context, "writer schema id " + writerSchemaId + " cannot be read as the reader schema: " + detail,
                null);
        this.writerSchemaId = writerSchemaId;
    }

    public int writerSchemaId() {
        return writerSchemaId;
    }

    @Override
    public String reason() {
        return "INCOMPATIBLE_SCHEMA";
    }
}
