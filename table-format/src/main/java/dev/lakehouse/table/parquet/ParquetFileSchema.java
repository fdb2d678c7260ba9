package dev.lakehouse.table.parquet;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of the appliance's data files: parquet-avro's conversion of the table's Avro file schema,
 * with every decimal stored the way Spark and Delta store it: {@code INT32} for precision up to 9, {@code INT64}
 * up to 18, {@code FIXED_LEN_BYTE_ARRAY} of the fewest bytes above. parquet-avro alone writes an Avro
 * {@code bytes} decimal as {@code BINARY (DECIMAL)}, which Spark's default (vectorized) Parquet reader fails on.
 *
 * <p>Records are still produced by parquet-avro's writers, which hand a decimal's unscaled two's-complement bytes
 * to {@code addBinary}; {@link DecimalColumnsRecordConsumer} turns those into the column's physical type.
 */
final class ParquetFileSchema {

    private ParquetFileSchema() {
    }

    /** The Parquet schema of data files of the Avro {@code fileSchema}. */
    static MessageType of(Configuration conf, Schema fileSchema) {
        MessageType converted = new AvroSchemaConverter(conf).convert(fileSchema);
        return new MessageType(converted.getName(), rewriteFields(converted));
    }

    /** Whether any column of {@code schema} is a decimal. */
    static boolean hasDecimals(GroupType schema) {
        for (Type field : schema.getFields()) {
            if (field.isPrimitive() ? isDecimal(field) : hasDecimals(field.asGroupType())) {
                return true;
            }
        }
        return false;
    }

    /** The bytes a {@code FIXED_LEN_BYTE_ARRAY} needs for every unscaled value of {@code precision} digits. */
    static int bytesForPrecision(int precision) {
        int bytes = 1;
        while (Math.pow(2.0, 8 * bytes - 1) < Math.pow(10.0, precision)) {
            bytes++;
        }
        return bytes;
    }

    private static boolean isDecimal(Type type) {
        return type.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation;
    }

    private static List<Type> rewriteFields(GroupType group) {
        List<Type> fields = new ArrayList<>(group.getFieldCount());
        for (Type field : group.getFields()) {
            fields.add(rewrite(field));
        }
        return fields;
    }

    private static Type rewrite(Type field) {
        if (!field.isPrimitive()) {
            return field.asGroupType().withNewFields(rewriteFields(field.asGroupType()));
        }
        if (!(field.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation decimal)) {
            return field;
        }
        int precision = decimal.getPrecision();
        LogicalTypeAnnotation annotation = LogicalTypeAnnotation.decimalType(decimal.getScale(), precision);
        Types.PrimitiveBuilder<PrimitiveType> builder;
        if (precision <= 9) {
            builder = Types.primitive(PrimitiveTypeName.INT32, field.getRepetition());
        } else if (precision <= 18) {
            builder = Types.primitive(PrimitiveTypeName.INT64, field.getRepetition());
        } else {
            builder = Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, field.getRepetition())
                    .length(bytesForPrecision(precision));
        }
        builder = builder.as(annotation);
        if (field.getId() != null) {
            builder = builder.id(field.getId().intValue());
        }
        return builder.named(field.getName());
    }
}
