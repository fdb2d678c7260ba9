package dev.lakehouse.registry.serde;

/** The Avro body does not decode with its writer schema, or has bytes left over after the datum. */
public final class CorruptAvroBodyException extends AvroDecodeException {

    CorruptAvroBodyException(RecordContext context, int schemaId, String detail, Throwable cause) {
        super(context, "corrupt Avro body for writer schema id " + schemaId + ": " + detail, cause);
    }

    @Override
    public String reason() {
        return "CORRUPT_AVRO";
    }
}
