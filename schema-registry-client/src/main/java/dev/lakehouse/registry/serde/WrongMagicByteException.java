package dev.lakehouse.registry.serde;

/** The payload does not start with {@code 0x00}: it was not written in the Confluent wire format. */
public final class WrongMagicByteException extends AvroDecodeException {

    WrongMagicByteException(RecordContext context, byte actual) {
        super(context, String.format("wrong magic byte 0x%02x, expected 0x00: this payload was not written by a "
                + "Confluent-format Avro serializer (plain JSON or raw Avro on an Avro topic?)", actual), null);
    }

    @Override
    public String reason() {
        return "WRONG_MAGIC_BYTE";
    }
}
