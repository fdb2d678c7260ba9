package dev.lakehouse.table;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.apache.avro.generic.GenericFixed;

/** Key and version values of a keyed table's rows in a form that compares by value. Stateless. */
final class KeyValues {

    private KeyValues() {
    }

    /**
     * A column value that equals another of the same value: text as a {@code String}, bytes and fixed as their
     * hex, ints as longs; anything else as it is.
     */
    static Object comparable(Object value) {
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof ByteBuffer bytes) {
            return "0x" + HexFormat.of().formatHex(bytes.array(), bytes.arrayOffset() + bytes.position(),
                    bytes.arrayOffset() + bytes.limit());
        }
        if (value instanceof GenericFixed fixed) {
            return "0x" + HexFormat.of().formatHex(fixed.bytes());
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }

    /** Versions compared by value; a missing version is older than any. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareVersions(Object a, Object b) {
        Object x = a == null ? null : comparable(a);
        Object y = b == null ? null : comparable(b);
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : -1) : 1;
        }
        if (x instanceof Comparable c && x.getClass() == y.getClass()) {
            return c.compareTo(y);
        }
        return x.toString().compareTo(y.toString());
    }
}
