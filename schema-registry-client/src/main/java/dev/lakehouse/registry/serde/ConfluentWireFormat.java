package dev.lakehouse.registry.serde;

/**
 * Confluent's framing: byte 0 is the magic byte {@code 0x00}, bytes 1-4 the schema id (big-endian), then the
 * Avro binary body.
 */
public final class ConfluentWireFormat {

    /** The only magic byte defined. */
    public static final byte MAGIC_BYTE = 0x0;
    /** Magic byte plus schema id. */
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }

    /**
     * The schema id of a framed payload.
     *
     * @throws WrongMagicByteException if the first byte is not {@code 0x00}
     * @throws TruncatedPayloadException if the payload is shorter than the 5-byte header
     */
    public static int schemaId(byte[] payload, RecordContext context) {
        if (payload.length > 0 && payload[0] != MAGIC_BYTE) {
            throw new WrongMagicByteException(context, payload[0]);
        }
        if (payload.length < HEADER_SIZE) {
            throw new TruncatedPayloadException(context, "the payload has " + payload.length
                    + " bytes, fewer than the 5-byte header (magic byte + schema id)", null);
        }
        return ((payload[1] & 0xff) << 24) | ((payload[2] & 0xff) << 16) | ((payload[3] & 0xff) << 8)
                | (payload[4] & 0xff);
    }

    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }
}
