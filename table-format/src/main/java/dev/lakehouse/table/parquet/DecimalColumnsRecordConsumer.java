package dev.lakehouse.table.parquet;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Sits between parquet-avro's writers and the file's columns of a {@link ParquetFileSchema}: a decimal handed over
 * as its unscaled two's-complement bytes ({@code addBinary}, as parquet-avro writes every decimal) is stored in its
 * column's physical type, {@code INT32}, {@code INT64} or a {@code FIXED_LEN_BYTE_ARRAY} of the column's length
 * (sign-extended). Every other call passes through unchanged.
 *
 * <p>A value with more digits than its column holds is refused with an {@link IllegalArgumentException} naming the
 * column: it could not be stored without changing it. Not thread-safe, like every record consumer.
 */
final class DecimalColumnsRecordConsumer extends RecordConsumer {

    /** 10^0 .. 10^18: the bounds of the unscaled values of each precision stored as a number. */
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private final RecordConsumer delegate;
    private final MessageType schema;
    /** The type of the field being written, innermost last; the message at the bottom. */
    private final Deque<Type> path = new ArrayDeque<>();

    DecimalColumnsRecordConsumer(RecordConsumer delegate, MessageType schema) {
        this.delegate = delegate;
        this.schema = schema;
    }

    @Override
    public void startMessage() {
        path.clear();
        path.push(schema);
        delegate.startMessage();
    }

    @Override
    public void endMessage() {
        delegate.endMessage();
    }

    @Override
    public void startField(String field, int index) {
        path.push(((GroupType) path.peek()).getType(index));
        delegate.startField(field, index);
    }

    @Override
    public void endField(String field, int index) {
        path.pop();
        delegate.endField(field, index);
    }

    @Override
    public void startGroup() {
        delegate.startGroup();
    }

    @Override
    public void endGroup() {
        delegate.endGroup();
    }

    @Override
    public void addInteger(int value) {
        delegate.addInteger(value);
    }

    @Override
    public void addLong(long value) {
        delegate.addLong(value);
    }

    @Override
    public void addBoolean(boolean value) {
        delegate.addBoolean(value);
    }

    @Override
    public void addFloat(float value) {
        delegate.addFloat(value);
    }

    @Override
    public void addDouble(double value) {
        delegate.addDouble(value);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void addBinary(Binary value) {
        Type type = path.peek();
        if (!(type.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation decimal)) {
            delegate.addBinary(value);
            return;
        }
        PrimitiveType primitive = type.asPrimitiveType();
        byte[] unscaled = value.getBytesUnsafe();
        switch (primitive.getPrimitiveTypeName()) {
            case INT32 -> delegate.addInteger((int) toLong(unscaled, type, decimal));
            case INT64 -> delegate.addLong(toLong(unscaled, type, decimal));
            case FIXED_LEN_BYTE_ARRAY -> delegate.addBinary(Binary.fromConstantByteArray(
                    toFixed(unscaled, primitive.getTypeLength(), type, decimal)));
            default -> delegate.addBinary(value);
        }
    }

    /** The unscaled value as a long; refused if it has more digits than the column's precision (at most 18). */
    private static long toLong(byte[] unscaled, Type type, DecimalLogicalTypeAnnotation decimal) {
        if (unscaled.length == 0) {
            return 0;
        }
        int start = significantStart(unscaled);
        if (unscaled.length - start > 8) {
            throw tooLarge(type, decimal);
        }
        long value = unscaled[start]; // sign-extended
        for (int i = start + 1; i < unscaled.length; i++) {
            value = (value << 8) | (unscaled[i] & 0xff);
        }
        long limit = POWERS_OF_TEN[decimal.getPrecision()];
        if (value >= limit || value <= -limit) {
            throw tooLarge(type, decimal);
        }
        return value;
    }

    /** The unscaled value in exactly {@code length} bytes, sign-extended; refused if it needs more. */
    private static byte[] toFixed(byte[] unscaled, int length, Type type, DecimalLogicalTypeAnnotation decimal) {
        int start = significantStart(unscaled);
        int significant = unscaled.length - start;
        if (significant > length || (significant == length && new java.math.BigInteger(unscaled).abs()
                .compareTo(java.math.BigInteger.TEN.pow(decimal.getPrecision())) >= 0)) {
            throw tooLarge(type, decimal);
        }
        byte[] fixed = new byte[length];
        byte sign = unscaled.length > 0 && unscaled[0] < 0 ? (byte) -1 : 0;
        int pad = length - significant;
        for (int i = 0; i < pad; i++) {
            fixed[i] = sign;
        }
        System.arraycopy(unscaled, start, fixed, pad, significant);
        return fixed;
    }

    /** Where the value starts once redundant sign bytes (0x00 before a clear top bit, 0xff before a set one) go. */
    private static int significantStart(byte[] bytes) {
        int start = 0;
        while (start < bytes.length - 1
                && ((bytes[start] == 0 && bytes[start + 1] >= 0) || (bytes[start] == -1 && bytes[start + 1] < 0))) {
            start++;
        }
        return start;
    }

    private static IllegalArgumentException tooLarge(Type type, DecimalLogicalTypeAnnotation decimal) {
        return new IllegalArgumentException("decimal column '" + type.getName() + "' holds at most "
                + decimal.getPrecision() + " digits (scale " + decimal.getScale()
                + "): a value with more digits cannot be stored without changing it");
    }
}
