package dev.lakehouse.registry.serde;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Confluent's Protobuf wire format: the magic byte 0, the 4-byte schema id, the message indexes, then the message's
 * bytes. The indexes say which message of the schema file the value is: its position among the file's top-level
 * messages, then among that message's nested ones, and so on; they are written as a count and that many values,
 * each a zig-zag varint, with the single byte 0 standing for the first top-level message ({@code [0]}).
 */
public final class ConfluentProtobufFormat {

    /** The message indexes of a value and the offset its message bytes start at. */
    public record Header(int[] messageIndexes, int messageOffset) {
    }

    private ConfluentProtobufFormat() {
    }

    /**
     * Reads the message indexes after the 5-byte header.
     *
     * @throws IllegalArgumentException if the value ends within them or they are negative; the message says so
     */
    public static Header header(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        buffer.position(ConfluentWireFormat.HEADER_SIZE);
        int count = zigZagVarint(buffer);
        if (count == 0) {
            return new Header(new int[] {0}, buffer.position());
        }
        if (count < 0 || count > 100) {
            throw new IllegalArgumentException("the message-index count " + count + " is not valid");
        }
        int[] indexes = new int[count];
        for (int i = 0; i < count; i++) {
            indexes[i] = zigZagVarint(buffer);
            if (indexes[i] < 0) {
                throw new IllegalArgumentException("message index " + indexes[i] + " is negative");
            }
        }
        return new Header(indexes, buffer.position());
    }

    /**
     * The message of {@code file} the indexes name.
     *
     * @throws IllegalArgumentException if the file has no such message
     */
    public static Descriptor message(FileDescriptor file, int[] indexes) {
        List<Descriptor> candidates = file.getMessageTypes();
        Descriptor message = null;
        for (int index : indexes) {
            if (index >= candidates.size()) {
                throw new IllegalArgumentException("the schema has no message at index path "
                        + java.util.Arrays.toString(indexes));
            }
            message = candidates.get(index);
            candidates = message.getNestedTypes();
        }
        if (message == null) {
            throw new IllegalArgumentException("the value names no message (empty index path)");
        }
        return message;
    }

    /** The indexes that name {@code message} within its file. */
    public static int[] indexes(Descriptor message) {
        Deque<Integer> path = new ArrayDeque<>();
        for (Descriptor current = message; current != null; current = current.getContainingType()) {
            path.push(current.getIndex());
        }
        return path.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A framed value: header, indexes, message bytes. */
    public static byte[] frame(int schemaId, int[] indexes, byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 16);
        byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        ConfluentWireFormat.writeHeader(header, schemaId);
        out.writeBytes(header);
        if (indexes.length == 1 && indexes[0] == 0) {
            out.write(0);
        } else {
            writeZigZagVarint(out, indexes.length);
            for (int index : indexes) {
                writeZigZagVarint(out, index);
            }
        }
        out.writeBytes(message);
        return out.toByteArray();
    }

    private static int zigZagVarint(ByteBuffer buffer) {
        int raw = 0;
        for (int shift = 0; ; shift += 7) {
            if (!buffer.hasRemaining()) {
                throw new IllegalArgumentException("the value ends within its message indexes");
            }
            if (shift > 28) {
                throw new IllegalArgumentException("a message index is longer than 5 bytes");
            }
            byte b = buffer.get();
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static void writeZigZagVarint(ByteArrayOutputStream out, int value) {
        int raw = (value << 1) ^ (value >> 31);
        while ((raw & ~0x7f) != 0) {
            out.write((raw & 0x7f) | 0x80);
            raw >>>= 7;
        }
        out.write(raw);
    }
}
