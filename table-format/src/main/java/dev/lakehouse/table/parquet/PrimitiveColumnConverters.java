package dev.lakehouse.table.parquet;

import dev.lakehouse.table.FileColumnTypeException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.util.Utf8;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
/**
 * The converters of single Parquet values into the values of their table column, chosen once per column from the
 * file's physical and logical type and the table's Avro type (see {@link TypedRecordMaterializer} for the rules):
 * timestamps change unit, decimals take the table's scale, integers and floats widen. A pair no converter can read
 * without changing values is refused with {@link FileColumnTypeException}; a single value that does not fit fails
 * the read naming its column.
 */
final class PrimitiveColumnConverters {

    /** Days from the Julian day 0 to 1970-01-01, for {@code INT96} timestamps. */
    private static final long JULIAN_EPOCH_DAY = 2_440_588L;
    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    private PrimitiveColumnConverters() {
    }

    static PrimitiveConverter forColumn(PrimitiveType column, Schema type, String path, Supplier<String> file,
                                        Consumer<Object> sink) {
        PrimitiveTypeName physical = column.getPrimitiveTypeName();
        LogicalTypeAnnotation annotation = column.getLogicalTypeAnnotation();
        LogicalType logical = type.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            return decimalColumn(column, decimal, type, path, file, sink);
        }
        switch (type.getType()) {
            case BOOLEAN -> {
                if (physical == PrimitiveTypeName.BOOLEAN) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addBoolean(boolean value) {
                            sink.accept(value);
                        }
                    };
                }
            }
            case INT -> {
                if (physical == PrimitiveTypeName.INT32 && isPlainInteger(annotation, logical)) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addInt(int value) {
                            sink.accept(value);
                        }
                    };
                }
            }
            case LONG -> {
                PrimitiveConverter converter = longColumn(column, logical, path, file, sink);
                if (converter != null) {
                    return converter;
                }
            }
            case FLOAT -> {
                if (physical == PrimitiveTypeName.FLOAT) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addFloat(float value) {
                            sink.accept(value);
                        }
                    };
                }
            }
            case DOUBLE -> {
                if (physical == PrimitiveTypeName.DOUBLE || physical == PrimitiveTypeName.FLOAT
                        || ((physical == PrimitiveTypeName.INT32 || physical == PrimitiveTypeName.INT64)
                        && annotation == null)) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addDouble(double value) {
                            sink.accept(value);
                        }

                        @Override
                        public void addFloat(float value) {
                            sink.accept((double) value);
                        }

                        @Override
                        public void addInt(int value) {
                            sink.accept((double) value);
                        }

                        @Override
                        public void addLong(long value) {
                            sink.accept((double) value);
                        }
                    };
                }
            }
            case STRING -> {
                boolean javaString = "String".equals(type.getProp("avro.java.string"));
                if (physical == PrimitiveTypeName.BINARY && isText(annotation)) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addBinary(Binary value) {
                            sink.accept(javaString ? value.toStringUsingUTF8() : new Utf8(value.getBytes()));
                        }
                    };
                }
                if (physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY && column.getTypeLength() == 16
                        && annotation instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addBinary(Binary value) {
                            ByteBuffer bytes = value.toByteBuffer();
                            String uuid = new UUID(bytes.getLong(bytes.position()), bytes.getLong(bytes.position() + 8))
                                    .toString();
                            sink.accept(javaString ? uuid : new Utf8(uuid));
                        }
                    };
                }
            }
            case ENUM -> {
                if (physical == PrimitiveTypeName.BINARY && isText(annotation)) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addBinary(Binary value) {
                            String symbol = value.toStringUsingUTF8();
                            if (!type.hasEnumSymbol(symbol)) {
                                throw new FileColumnTypeException(file.get(), path, "the value '" + symbol + "'",
                                        "enum " + type.getEnumSymbols());
                            }
                            sink.accept(new GenericData.EnumSymbol(type, symbol));
                        }
                    };
                }
            }
            case BYTES -> {
                if ((physical == PrimitiveTypeName.BINARY || physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)
                        && !(annotation instanceof DecimalLogicalTypeAnnotation)) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addBinary(Binary value) {
                            sink.accept(ByteBuffer.wrap(value.getBytes()));
                        }
                    };
                }
            }
            case FIXED -> {
                if ((physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY && column.getTypeLength() == type.getFixedSize())
                        && !(annotation instanceof DecimalLogicalTypeAnnotation)) {
                    return new PrimitiveConverter() {
                        @Override
                        public void addBinary(Binary value) {
                            sink.accept(new GenericData.Fixed(type, value.getBytes()));
                        }
                    };
                }
            }
            default -> {
            }
        }
        throw new FileColumnTypeException(file.get(), path, column.toString(), type.toString());
    }

    private static boolean isText(LogicalTypeAnnotation annotation) {
        return annotation == null || annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || annotation instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || annotation instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
    }

    /** An {@code INT32} that is a plain number of the same meaning as the Avro int (or a date into a date). */
    private static boolean isPlainInteger(LogicalTypeAnnotation annotation, LogicalType logical) {
        if (annotation instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
            return logical instanceof LogicalTypes.Date;
        }
        if (annotation instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation time) {
            return logical instanceof LogicalTypes.TimeMillis && time.getUnit() == TimeUnit.MILLIS;
        }
        if (annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation integer) {
            // Unsigned 32-bit values above Integer.MAX_VALUE do not fit an Avro int.
            return !(logical instanceof LogicalTypes.Date) && (integer.isSigned() || integer.getBitWidth() < 32);
        }
        return annotation == null && !(logical instanceof LogicalTypes.Date);
    }

    /** Into an Avro long: integers widen, timestamps convert between units; null if the column cannot. */
    private static PrimitiveConverter longColumn(PrimitiveType column, LogicalType logical, String path,
                                                 Supplier<String> file, Consumer<Object> sink) {
        TimeUnit targetUnit = timestampUnit(logical);
        PrimitiveTypeName physical = column.getPrimitiveTypeName();
        LogicalTypeAnnotation annotation = column.getLogicalTypeAnnotation();
        if (physical == PrimitiveTypeName.INT96) {
            if (targetUnit == null) {
                return null;
            }
            return new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    ByteBuffer bytes = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    long nanosOfDay = bytes.getLong(bytes.position());
                    long julianDay = bytes.getInt(bytes.position() + 8);
                    long epochDay = julianDay - JULIAN_EPOCH_DAY;
                    long nanos = nanosPerUnit(targetUnit);
                    if (nanosOfDay % nanos != 0) {
                        throw finerThanColumn(file, path, column, targetUnit);
                    }
                    sink.accept(Math.addExact(Math.multiplyExact(epochDay, NANOS_PER_DAY / nanos), nanosOfDay / nanos));
                }
            };
        }
        if (physical == PrimitiveTypeName.INT32) {
            boolean plain = annotation == null || (annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation);
            if (!plain || targetUnit != null) {
                return null;
            }
            return new PrimitiveConverter() {
                @Override
                public void addInt(int value) {
                    sink.accept((long) value);
                }
            };
        }
        if (physical != PrimitiveTypeName.INT64) {
            return null;
        }
        if (annotation instanceof TimestampLogicalTypeAnnotation timestamp) {
            if (targetUnit == null || timestamp.isAdjustedToUTC() != isUtc(logical)) {
                return null;
            }
            TimeUnit sourceUnit = timestamp.getUnit();
            return new PrimitiveConverter() {
                @Override
                public void addLong(long value) {
                    long converted = convert(value, sourceUnit, targetUnit);
                    if (convert(converted, targetUnit, sourceUnit) != value) {
                        throw finerThanColumn(file, path, column, targetUnit);
                    }
                    sink.accept(converted);
                }
            };
        }
        if (annotation instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation time) {
            if (!(logical instanceof LogicalTypes.TimeMicros) || time.getUnit() != TimeUnit.MICROS) {
                return null;
            }
        } else if (annotation != null && !(annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation
                integer && (integer.isSigned() || integer.getBitWidth() < 64))) {
            return null;
        }
        return new PrimitiveConverter() {
            @Override
            public void addLong(long value) {
                sink.accept(value);
            }
        };
    }

    private static TimeUnit timestampUnit(LogicalType logical) {
        if (logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.LocalTimestampMillis) {
            return TimeUnit.MILLIS;
        }
        if (logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.LocalTimestampMicros) {
            return TimeUnit.MICROS;
        }
        if (logical instanceof LogicalTypes.TimestampNanos || logical instanceof LogicalTypes.LocalTimestampNanos) {
            return TimeUnit.NANOS;
        }
        return null;
    }

    private static boolean isUtc(LogicalType logical) {
        return logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.TimestampMicros
                || logical instanceof LogicalTypes.TimestampNanos;
    }

    private static long nanosPerUnit(TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> 1_000_000L;
            case MICROS -> 1_000L;
            case NANOS -> 1L;
        };
    }

    /** A timestamp finer than the table's column: storing it there would drop digits. */
    private static FileColumnTypeException finerThanColumn(Supplier<String> file, String path, PrimitiveType column,
                                                           TimeUnit unit) {
        return new FileColumnTypeException(file.get(), path, column + " holding a value finer than "
                + unit.name().toLowerCase(java.util.Locale.ROOT) + ",", "timestamp in "
                + unit.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** A timestamp in another unit: exact when finer, floored (towards the past) when coarser (callers check). */
    static long convert(long value, TimeUnit from, TimeUnit to) {
        int fromExponent = exponent(from);
        int toExponent = exponent(to);
        if (fromExponent == toExponent) {
            return value;
        }
        if (fromExponent < toExponent) {
            return Math.multiplyExact(value, pow10(toExponent - fromExponent));
        }
        return Math.floorDiv(value, pow10(fromExponent - toExponent));
    }

    private static int exponent(TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> 3;
            case MICROS -> 6;
            case NANOS -> 9;
        };
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }

    /** A decimal column of any physical type (or an integer column) into the table's decimal. */
    private static PrimitiveConverter decimalColumn(PrimitiveType column, LogicalTypes.Decimal decimal, Schema type,
                                                    String path, Supplier<String> file, Consumer<Object> sink) {
        LogicalTypeAnnotation annotation = column.getLogicalTypeAnnotation();
        int sourceScale;
        if (annotation instanceof DecimalLogicalTypeAnnotation source) {
            sourceScale = source.getScale();
        } else if (annotation == null && (column.getPrimitiveTypeName() == PrimitiveTypeName.INT32
                || column.getPrimitiveTypeName() == PrimitiveTypeName.INT64)) {
            sourceScale = 0;
        } else {
            throw new FileColumnTypeException(file.get(), path, column.toString(), type.toString());
        }
        if (sourceScale > decimal.getScale()) {
            // Every value would have to be rounded: refused rather than changed.
            throw new FileColumnTypeException(file.get(), path, column.toString(), type.toString());
        }
        int shift = decimal.getScale() - sourceScale;
        BigInteger factor = BigInteger.TEN.pow(shift);
        BigInteger limit = BigInteger.TEN.pow(decimal.getPrecision());
        Consumer<BigInteger> put = unscaled -> {
            BigInteger scaled = shift == 0 ? unscaled : unscaled.multiply(factor);
            if (scaled.abs().compareTo(limit) >= 0) {
                throw new FileColumnTypeException(file.get(), path, "the value "
                        + new BigDecimal(unscaled, sourceScale).setScale(decimal.getScale(), RoundingMode.UNNECESSARY),
                        type.toString());
            }
            byte[] bytes = scaled.toByteArray();
            if (type.getType() == Schema.Type.FIXED) {
                byte[] fixed = new byte[type.getFixedSize()];
                byte sign = bytes[0] < 0 ? (byte) -1 : 0;
                int pad = fixed.length - bytes.length;
                for (int i = 0; i < pad; i++) {
                    fixed[i] = sign;
                }
                System.arraycopy(bytes, 0, fixed, pad, bytes.length);
                sink.accept(new GenericData.Fixed(type, fixed));
            } else {
                sink.accept(ByteBuffer.wrap(bytes));
            }
        };
        return new PrimitiveConverter() {
            @Override
            public void addInt(int value) {
                put.accept(BigInteger.valueOf(value));
            }

            @Override
            public void addLong(long value) {
                put.accept(BigInteger.valueOf(value));
            }

            @Override
            public void addBinary(Binary value) {
                put.accept(new BigInteger(value.getBytes()));
            }
        };
    }
}
