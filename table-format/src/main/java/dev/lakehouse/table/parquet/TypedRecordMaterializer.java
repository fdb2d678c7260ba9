package dev.lakehouse.table.parquet;

import dev.lakehouse.table.FileColumnTypeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file of any writer into Avro records of the table's schema, value by value from the file's own
 * physical and logical types: {@code INT96} and {@code INT64} timestamps in milliseconds, microseconds or
 * nanoseconds become the table's unit; decimals in {@code INT32}, {@code INT64}, {@code BINARY} or fixed bytes take
 * the table's scale (refused if that would round); integers and floats widen; lists and maps are read in every
 * layout the Parquet format allows (two- and three-level lists, legacy {@code array} and {@code _tuple} names,
 * repeated fields without a list annotation, {@code MAP} and {@code MAP_KEY_VALUE}). Fields are matched by name;
 * a table field the file lacks reads as null, and a file column the table lacks is not read at all, so a table
 * schema with fewer fields is a projection.
 *
 * <p>Values come out as parquet-avro's generic model has them (strings as {@link Utf8} unless the schema asks for
 * {@link String}, bytes as {@link ByteBuffer}, enums as {@link GenericData.EnumSymbol}, decimals as their unscaled
 * bytes), so writers downstream see no difference.
 *
 * <p><strong>Failures</strong>: a column whose type cannot become its table column's without changing values is
 * refused when the file is opened ({@link FileColumnTypeException}, naming the column and both types); a single
 * value that does not fit (an enum symbol the table lacks, a decimal that would round) fails the read naming the
 * column. Nothing is ever converted silently into a different value. Not thread-safe.
 */
final class TypedRecordMaterializer extends RecordMaterializer<GenericRecord> {

    private final MessageType requestedSchema;
    private final RecordConverter root;
    private GenericRecord current;
    private String file;

    /**
     * @param fileSchema the file's Parquet schema
     * @param target the Avro record schema to read into (the table's file schema, or a projection of it)
     * @param file names the file in errors
     * @throws FileColumnTypeException if a column of the file cannot be read into its table column
     */
    TypedRecordMaterializer(MessageType fileSchema, Schema target, String file) {
        GroupType requested = project(fileSchema, target);
        this.requestedSchema = requested == null ? new MessageType(fileSchema.getName())
                : new MessageType(fileSchema.getName(), requested.getFields());
        this.file = file;
        this.root = new RecordConverter(requestedSchema, target, "", () -> this.file, record -> current = (GenericRecord) record);
    }

    /** Names the file now read in errors: a materializer serves every file of its schema. */
    void reading(String file) {
        this.file = file;
    }

    /** The columns to read: those of the file that the target schema has, by name, at every depth. */
    MessageType requestedSchema() {
        return requestedSchema;
    }

    @Override
    public GenericRecord getCurrentRecord() {
        return current;
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }

    // ---- projection -------------------------------------------------------------------------------------------

    /** The part of {@code group} that {@code record} reads, or null when nothing. */
    private static GroupType project(GroupType group, Schema record) {
        List<Type> kept = new ArrayList<>();
        for (Type field : group.getFields()) {
            Schema.Field target = record.getField(field.getName());
            if (target == null) {
                continue;
            }
            Schema type = nonNull(target.schema());
            if (!field.isPrimitive() && type != null && type.getType() == Schema.Type.RECORD
                    && field.getLogicalTypeAnnotation() == null && !field.isRepetition(Type.Repetition.REPEATED)) {
                GroupType nested = project(field.asGroupType(), type);
                if (nested != null) {
                    kept.add(nested);
                }
            } else {
                kept.add(field);
            }
        }
        return kept.isEmpty() ? null : group.withNewFields(kept);
    }

    // ---- converters -------------------------------------------------------------------------------------------

    /** A record: one child per file field the target has; the record goes to its sink when it ends. */
    private static final class RecordConverter extends GroupConverter {
        private final Schema schema;
        private final Converter[] children;
        private final List<Integer> repeatedSlots = new ArrayList<>();
        private final Consumer<Object> sink;
        private Object[] values;

        RecordConverter(GroupType group, Schema schema, String path, Supplier<String> file, Consumer<Object> sink) {
            this.schema = schema;
            this.sink = sink;
            this.children = new Converter[group.getFieldCount()];
            for (int i = 0; i < children.length; i++) {
                Type field = group.getType(i);
                Schema.Field target = schema.getField(field.getName());
                int slot = target.pos();
                String fieldPath = path.isEmpty() ? field.getName() : path + "." + field.getName();
                if (field.isRepetition(Type.Repetition.REPEATED)) {
                    // A repeated field without a list annotation: each occurrence is an element.
                    Schema array = nonNull(target.schema());
                    if (array == null || array.getType() != Schema.Type.ARRAY) {
                        throw new FileColumnTypeException(file.get(), fieldPath, field.toString(),
                                target.schema().toString());
                    }
                    repeatedSlots.add(slot);
                    children[i] = converter(field, array.getElementType(), fieldPath, file, v -> append(slot, v));
                } else {
                    children[i] = converter(field, target.schema(), fieldPath, file, v -> values[slot] = v);
                }
            }
        }

        @SuppressWarnings("unchecked")
        private void append(int slot, Object value) {
            if (values[slot] == null) {
                values[slot] = new ArrayList<>();
            }
            ((List<Object>) values[slot]).add(value);
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return children[fieldIndex];
        }

        @Override
        public void start() {
            values = new Object[schema.getFields().size()];
        }

        @Override
        @SuppressWarnings("unchecked")
        public void end() {
            GenericData.Record record = new GenericData.Record(schema);
            for (int slot : repeatedSlots) {
                List<Object> list = values[slot] == null ? List.of() : (List<Object>) values[slot];
                values[slot] = new GenericData.Array<>(nonNull(schema.getFields().get(slot).schema()), list);
            }
            for (int i = 0; i < values.length; i++) {
                record.put(i, values[i]);
            }
            sink.accept(record);
        }
    }

    /**
     * The converter of one file field read into {@code target} (which may be a union with null).
     */
    private static Converter converter(Type field, Schema target, String path, Supplier<String> file, Consumer<Object> sink) {
        Schema type = nonNull(target);
        if (type == null) {
            // A union of several types: parquet-avro writes it as a group of member0..n.
            return unionConverter(field, target, path, file, sink);
        }
        if (field.isPrimitive()) {
            return PrimitiveColumnConverters.forColumn(field.asPrimitiveType(), type, path, file, sink);
        }
        GroupType group = field.asGroupType();
        LogicalTypeAnnotation annotation = group.getLogicalTypeAnnotation();
        if (type.getType() == Schema.Type.MAP) {
            if (annotation != null && !(annotation instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation)
                    && !(annotation instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation)) {
                throw new FileColumnTypeException(file.get(), path, field.toString(), target.toString());
            }
            return new MapConverter(group, type, path, file, sink);
        }
        if (type.getType() == Schema.Type.ARRAY) {
            return new ListConverter(group, type, path, file, sink);
        }
        if (type.getType() == Schema.Type.RECORD && annotation == null) {
            return new RecordConverter(group, type, path, file, sink);
        }
        throw new FileColumnTypeException(file.get(), path, field.toString(), target.toString());
    }

    private static Converter unionConverter(Type field, Schema union, String path, Supplier<String> file,
                                            Consumer<Object> sink) {
        List<Schema> branches = union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        if (field.isPrimitive()) {
            throw new FileColumnTypeException(file.get(), path, field.toString(), union.toString());
        }
        GroupType group = field.asGroupType();
        Converter[] members = new Converter[group.getFieldCount()];
        for (int i = 0; i < members.length; i++) {
            Type member = group.getType(i);
            int index = memberIndex(member.getName());
            if (index < 0 || index >= branches.size()) {
                throw new FileColumnTypeException(file.get(), path + "." + member.getName(), member.toString(),
                        union.toString());
            }
            members[i] = converter(member, branches.get(index), path + "." + member.getName(), file, sink);
        }
        return new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
                return members[fieldIndex];
            }

            @Override
            public void start() {
            }

            @Override
            public void end() {
            }
        };
    }

    private static int memberIndex(String name) {
        if (!name.startsWith("member")) {
            return -1;
        }
        try {
            return Integer.parseInt(name.substring("member".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A list in any Parquet layout, into an Avro array. */
    private static final class ListConverter extends GroupConverter {
        private final Schema arraySchema;
        private final Converter repeated;
        private final Consumer<Object> sink;
        private List<Object> elements;

        ListConverter(GroupType list, Schema arraySchema, String path, Supplier<String> file, Consumer<Object> sink) {
            this.arraySchema = arraySchema;
            this.sink = sink;
            if (list.getFieldCount() != 1 || !list.getType(0).isRepetition(Type.Repetition.REPEATED)) {
                throw new FileColumnTypeException(file.get(), path, list.toString(), arraySchema.toString());
            }
            Type repeatedType = list.getType(0);
            Schema element = arraySchema.getElementType();
            if (isElementItself(repeatedType, list.getName())) {
                this.repeated = converter(repeatedType, element, path + ".element", file, v -> elements.add(v));
            } else {
                Type elementType = repeatedType.asGroupType().getType(0);
                Object[] held = new Object[1];
                Converter inner = converter(elementType, element, path + ".element", file, v -> held[0] = v);
                this.repeated = new GroupConverter() {
                    @Override
                    public Converter getConverter(int fieldIndex) {
                        return inner;
                    }

                    @Override
                    public void start() {
                        held[0] = null;
                    }

                    @Override
                    public void end() {
                        elements.add(held[0]);
                    }
                };
            }
        }

        /**
         * The Parquet format's rules for lists written before the three-level layout: the repeated field is the
         * element when it is a primitive, a group of several fields, or a group named {@code array} or
         * {@code <list>_tuple}.
         */
        private static boolean isElementItself(Type repeated, String listName) {
            return repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1
                    || repeated.getName().equals("array") || repeated.getName().equals(listName + "_tuple");
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return repeated;
        }

        @Override
        public void start() {
            elements = new ArrayList<>();
        }

        @Override
        public void end() {
            sink.accept(new GenericData.Array<>(arraySchema, elements));
        }
    }

    /** A map of a repeated key-value group, into an Avro map (string keys, as Avro has them). */
    private static final class MapConverter extends GroupConverter {
        private final Converter entries;
        private final Consumer<Object> sink;
        private Map<String, Object> map;

        MapConverter(GroupType group, Schema mapSchema, String path, Supplier<String> file, Consumer<Object> sink) {
            this.sink = sink;
            if (group.getFieldCount() != 1 || group.getType(0).isPrimitive()
                    || group.getType(0).asGroupType().getFieldCount() < 1) {
                throw new FileColumnTypeException(file.get(), path, group.toString(), mapSchema.toString());
            }
            GroupType keyValue = group.getType(0).asGroupType();
            Object[] entry = new Object[2];
            Converter[] parts = new Converter[keyValue.getFieldCount()];
            Schema keySchema = Schema.create(Schema.Type.STRING);
            parts[0] = converter(keyValue.getType(0), keySchema, path + ".key", file, v -> entry[0] = v);
            if (parts.length > 1) {
                parts[1] = converter(keyValue.getType(1), mapSchema.getValueType(), path + ".value", file,
                        v -> entry[1] = v);
            }
            this.entries = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return parts[fieldIndex];
                }

                @Override
                public void start() {
                    entry[0] = null;
                    entry[1] = null;
                }

                @Override
                public void end() {
                    map.put(entry[0] == null ? null : entry[0].toString(), entry[1]);
                }
            };
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return entries;
        }

        @Override
        public void start() {
            map = new HashMap<>();
        }

        @Override
        public void end() {
            sink.accept(map);
        }
    }

    /** The one non-null type of a field's schema, the schema itself when not a union; null for a wider union. */
    static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        Schema only = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                if (only != null) {
                    return null;
                }
                only = branch;
            }
        }
        return only;
    }
}
