package dev.lakehouse.registry.serde;

/** The registry has no schema with the payload's id (it answered 40403). */
public final class UnknownSchemaIdException extends AvroDecodeException {

    private final int schemaId;

    UnknownSchemaIdException(RecordContext context, int schemaId, Throwable cause) {
        super(context, "unknown schema id " + schemaId + ": the registry has no such schema; the producer used "
                + "another registry, or the schema was deleted permanently", cause);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }

    @Override
    public String reason() {
        return "UNKNOWN_SCHEMA_ID";
    }
}
