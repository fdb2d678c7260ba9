package dev.lakehouse.registry.serde;

/** The payload ends before its header or before its Avro body is complete. */
public final class TruncatedPayloadException extends AvroDecodeException {

    TruncatedPayloadException(RecordContext context, String detail, Throwable cause) {
        super(context, "truncated payload: " + detail, cause);
    }

    @Override
    public String reason() {
        return "TRUNCATED_PAYLOAD";
    }
}
