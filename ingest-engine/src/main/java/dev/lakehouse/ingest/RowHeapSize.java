package dev.lakehouse.ingest;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * An estimate of the heap a decoded row takes (objects, headers and references on a 64-bit JVM with compressed
 * references), for budgets of rows that stay decoded: a keyed table's writer holds its batch's rows until it merges
 * them, and a decoded record takes several times its serialized bytes (an order of 56 bytes in Avro is some 500 on
 * the heap), so a budget counted in serialized bytes would let the held rows outgrow the heap. Stateless.
 */
final class RowHeapSize {

    private static final int OBJECT = 16;
    private static final int REFERENCE = 4;

    private RowHeapSize() {
    }

    /** The estimated heap bytes of a row and everything it references. */
    static long of(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof IndexedRecord record) {
            int fields = record.getSchema().getFields().size();
            long size = OBJECT + REFERENCE + OBJECT + (long) REFERENCE * fields; // the record and its value array
            for (int i = 0; i < fields; i++) {
                size += of(record.get(i));
            }
            return size;
        }
        if (value instanceof CharSequence text) {
            // A String (header, hash, coder, its byte array) or a Utf8 (header, length, byte array), Latin-1 mostly.
            return 24 + OBJECT + text.length();
        }
        if (value instanceof ByteBuffer bytes) {
            return 48 + OBJECT + bytes.capacity();
        }
        if (value instanceof GenericFixed fixed) {
            return OBJECT + REFERENCE + OBJECT + fixed.bytes().length;
        }
        if (value instanceof Collection<?> elements) {
            long size = 40 + (long) REFERENCE * elements.size();
            for (Object element : elements) {
                size += of(element);
            }
            return size;
        }
        if (value instanceof Map<?, ?> map) {
            long size = 48 + 32L * map.size() + (long) REFERENCE * map.size();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                size += of(entry.getKey()) + of(entry.getValue());
            }
            return size;
        }
        return OBJECT + 8; // a boxed number or boolean, an enum symbol
    }
}
