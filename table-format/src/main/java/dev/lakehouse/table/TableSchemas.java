package dev.lakehouse.table;

import dev.lakehouse.table.delta.AvroToDelta;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;

/**
 * The table's Avro schema and how it evolves.
 *
 * <p>A table schema is <em>normalized</em>: every record field is optional ({@code ["null", T]}, default null).
 * Avro's non-null rules are enforced when records are decoded, not in the table, for one reason: a field that a
 * producer later drops must stay writable as null, and old writers must resolve against the table schema.
 * Consequently every Delta column of the table is nullable.
 *
 * <p>{@link #merge} is the only way a table schema changes: it adds new fields (top level or nested) as optional
 * columns and new enum symbols, and keeps everything else; anything else is an
 * {@link IncompatibleSchemaChangeException} naming the field. A new field must be optional or have a default, as
 * Avro requires of a reader schema that reads older data: the table's existing rows have no value for it.
 */
public final class TableSchemas {

    private TableSchemas() {
    }

    /** The normalized form of a record schema: every field, at every depth, optional with default null. */
    public static Schema normalize(Schema record) {
        requireRecord(record);
        return normalizeType(record, new IdentityHashMap<>());
    }

    /**
     * The table schema after taking writer records: new fields appended as optional columns (at any depth), new
     * enum symbols appended; fields the writer lacks are kept. Returns {@code table} itself (same instance)
     * when nothing changes, so callers can detect "no change" with {@code ==}.
     *
     * @param table a normalized table schema
     * @param writer the writer schema of incoming records
     * @throws IncompatibleSchemaChangeException if a field changes type in a way the table cannot hold
     *         (narrowing, unrelated types, different logical types, fixed sizes, new union members), or a new
     *         field is required without a default
     */
    public static Schema merge(Schema table, Schema writer) {
        requireRecord(table);
        requireRecord(writer);
        Schema merged = mergeRecord(table, writer, "");
        return merged.equals(table) ? table : merged;
    }

    /**
     * The Delta columns of a record schema, top level, in order: each name with its Delta type as Spark's SQL
     * spells it ({@code struct<email:string,tier:int>}), every one nullable.
     *
     * @throws SchemaMappingException if a field has no Delta type (a recursive record, a decimal above 38 digits)
     */
    public static Map<String, String> columns(Schema record) {
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        for (io.delta.standalone.types.StructField field : AvroToDelta.toStructType(normalize(record)).getFields()) {
            columns.put(field.getName(), sqlType(field.getDataType()));
        }
        return columns;
    }

    private static String sqlType(io.delta.standalone.types.DataType type) {
        if (type instanceof io.delta.standalone.types.StructType struct) {
            StringBuilder out = new StringBuilder("struct<");
            for (io.delta.standalone.types.StructField field : struct.getFields()) {
                out.append(out.length() == 7 ? "" : ",").append(field.getName()).append(':')
                        .append(sqlType(field.getDataType()));
            }
            return out.append('>').toString();
        }
        if (type instanceof io.delta.standalone.types.ArrayType array) {
            return "array<" + sqlType(array.getElementType()) + ">";
        }
        if (type instanceof io.delta.standalone.types.MapType map) {
            return "map<" + sqlType(map.getKeyType()) + "," + sqlType(map.getValueType()) + ">";
        }
        return type.getSimpleString();
    }

    private static Schema normalizeType(Schema schema, Map<Schema, Schema> done) {
        switch (schema.getType()) {
            case RECORD -> {
                Schema existing = done.get(schema);
                if (existing != null) {
                    return existing;
                }
                Schema copy = Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(),
                        schema.isError());
                done.put(schema, copy);
                List<Schema.Field> fields = new ArrayList<>();
                for (Schema.Field f : schema.getFields()) {
                    fields.add(optionalField(f.name(), normalizeType(f.schema(), done), f.doc()));
                }
                copy.setFields(fields);
                copyProps(schema, copy);
                return copy;
            }
            case ARRAY -> {
                return withLogical(Schema.createArray(normalizeType(schema.getElementType(), done)), schema);
            }
            case MAP -> {
                return withLogical(Schema.createMap(normalizeType(schema.getValueType(), done)), schema);
            }
            case UNION -> {
                List<Schema> branches = new ArrayList<>();
                for (Schema branch : schema.getTypes()) {
                    branches.add(normalizeType(branch, done));
                }
                return Schema.createUnion(branches);
            }
            default -> {
                return schema;
            }
        }
    }

    /** {@code ["null", T]} with default null; a union gets null as its first branch. */
    private static Schema.Field optionalField(String name, Schema type, String doc) {
        return new Schema.Field(name, nullable(type), doc, JsonProperties.NULL_VALUE);
    }

    static Schema nullable(Schema type) {
        if (type.getType() == Schema.Type.NULL) {
            return type;
        }
        List<Schema> branches = new ArrayList<>();
        branches.add(Schema.create(Schema.Type.NULL));
        if (type.getType() == Schema.Type.UNION) {
            for (Schema b : type.getTypes()) {
                if (b.getType() != Schema.Type.NULL) {
                    branches.add(b);
                }
            }
        } else {
            branches.add(type);
        }
        return Schema.createUnion(branches);
    }

    /** The non-null branches of a type (the type itself when it is not a union). */
    public static List<Schema> nonNullBranches(Schema type) {
        if (type.getType() != Schema.Type.UNION) {
            return List.of(type);
        }
        return type.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).toList();
    }

    private static Schema mergeRecord(Schema table, Schema writer, String path) {
        List<Schema.Field> fields = new ArrayList<>();
        boolean changed = false;
        for (Schema.Field tf : table.getFields()) {
            Schema.Field wf = writer.getField(tf.name());
            Schema type = tf.schema();
            if (wf != null) {
                Schema mergedType = mergeType(tf.schema(), wf.schema(), join(path, tf.name()));
                if (mergedType != type) {
                    type = mergedType;
                    changed = true;
                }
            }
            fields.add(new Schema.Field(tf.name(), type, tf.doc(), tf.defaultVal()));
        }
        for (Schema.Field wf : writer.getFields()) {
            if (table.getField(wf.name()) == null) {
                if (!wf.schema().isNullable() && !wf.hasDefaultValue()) {
                    // Rows already in the table have no value for it, which the producer declares impossible.
                    throw new IncompatibleSchemaChangeException(join(path, wf.name()), "absent",
                            describe(wf.schema()) + " (required, no default)", "rows written before it would have "
                            + "no value; make the new field optional or give it a default");
                }
                fields.add(optionalField(wf.name(), normalizeType(wf.schema(), new IdentityHashMap<>()), wf.doc()));
                changed = true;
            }
        }
        if (!changed) {
            return table;
        }
        Schema merged = Schema.createRecord(table.getName(), table.getDoc(), table.getNamespace(), table.isError());
        merged.setFields(fields);
        copyProps(table, merged);
        return merged;
    }

    /** Merges a table field type (nullable union) with a writer field type. Returns {@code table} if unchanged. */
    private static Schema mergeType(Schema table, Schema writer, String path) {
        List<Schema> tableBranches = nonNullBranches(table);
        List<Schema> writerBranches = nonNullBranches(writer);
        if (writerBranches.isEmpty()) {
            return table;
        }
        if (tableBranches.size() == 1 && writerBranches.size() == 1) {
            Schema merged = mergeSingle(tableBranches.get(0), writerBranches.get(0), path);
            return merged == tableBranches.get(0) ? table : nullable(merged);
        }
        // Multi-type unions: every writer branch must match a table branch by type (and name for named types).
        List<Schema> mergedBranches = new ArrayList<>(tableBranches);
        boolean changed = false;
        for (Schema w : writerBranches) {
            int match = -1;
            for (int i = 0; i < tableBranches.size(); i++) {
                Schema t = tableBranches.get(i);
                if (t.getType() == w.getType() && (!isNamed(t) || t.getFullName().equals(w.getFullName()))) {
                    match = i;
                    break;
                }
            }
            if (match < 0) {
                throw new IncompatibleSchemaChangeException(path, describe(table), describe(writer),
                        "a new union member would need a new column inside the union's struct");
            }
            Schema merged = mergeSingle(tableBranches.get(match), w, path);
            if (merged != tableBranches.get(match)) {
                mergedBranches.set(match, merged);
                changed = true;
            }
        }
        return changed ? nullable(Schema.createUnion(mergedBranches)) : table;
    }

    private static Schema mergeSingle(Schema t, Schema w, String path) {
        if (!sameLogicalType(t, w)) {
            throw new IncompatibleSchemaChangeException(path, describe(t), describe(w),
                    "the logical type differs");
        }
        if (t.getType() == w.getType()) {
            return switch (t.getType()) {
                case RECORD -> mergeRecord(t, w, path);
                case ARRAY -> {
                    Schema element = mergeType(t.getElementType(), w.getElementType(), path + "[]");
                    yield element == t.getElementType() ? t : withLogical(Schema.createArray(element), t);
                }
                case MAP -> {
                    Schema value = mergeType(t.getValueType(), w.getValueType(), path + "{}");
                    yield value == t.getValueType() ? t : withLogical(Schema.createMap(value), t);
                }
                case ENUM -> mergeEnum(t, w);
                case FIXED -> {
                    if (t.getFixedSize() != w.getFixedSize()) {
                        throw new IncompatibleSchemaChangeException(path, describe(t), describe(w),
                                "fixed sizes differ");
                    }
                    yield t;
                }
                default -> t;
            };
        }
        if (promotable(w.getType(), t.getType())) {
            return t;
        }
        String why = promotable(t.getType(), w.getType())
                ? "the new type is wider than the table's column (a narrowing the table cannot hold)"
                : "the types are unrelated";
        throw new IncompatibleSchemaChangeException(path, describe(t), describe(w), why);
    }

    private static Schema mergeEnum(Schema t, Schema w) {
        Set<String> symbols = new LinkedHashSet<>(t.getEnumSymbols());
        if (!symbols.addAll(w.getEnumSymbols())) {
            return t;
        }
        Schema merged = Schema.createEnum(t.getName(), t.getDoc(), t.getNamespace(), new ArrayList<>(symbols),
                t.getEnumDefault());
        copyProps(t, merged);
        return merged;
    }

    /** Avro's writer-to-reader promotions: int→long/float/double, long→float/double, float→double, string↔bytes. */
    static boolean promotable(Schema.Type writer, Schema.Type reader) {
        return switch (writer) {
            case INT -> reader == Schema.Type.LONG || reader == Schema.Type.FLOAT || reader == Schema.Type.DOUBLE;
            case LONG -> reader == Schema.Type.FLOAT || reader == Schema.Type.DOUBLE;
            case FLOAT -> reader == Schema.Type.DOUBLE;
            case STRING -> reader == Schema.Type.BYTES;
            case BYTES -> reader == Schema.Type.STRING;
            default -> false;
        };
    }

    private static boolean sameLogicalType(Schema t, Schema w) {
        LogicalType a = t.getLogicalType();
        LogicalType b = w.getLogicalType();
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(b);
    }

    private static boolean isNamed(Schema s) {
        return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM || s.getType() == Schema.Type.FIXED;
    }

    public static String describe(Schema s) {
        List<Schema> branches = nonNullBranches(s);
        if (branches.size() == 1) {
            Schema b = branches.get(0);
            String name = b.getLogicalType() != null ? b.getType().getName() + "(" + b.getLogicalType().getName() + ")"
                    : b.getType().getName();
            return isNamed(b) ? name + " " + b.getFullName() : name;
        }
        return "union" + branches.stream().map(TableSchemas::describe).toList();
    }

    private static Schema withLogical(Schema created, Schema original) {
        copyProps(original, created);
        return created;
    }

    private static void copyProps(Schema from, Schema to) {
        from.getObjectProps().forEach(to::addProp);
        if (from.getLogicalType() != null && to.getLogicalType() == null) {
            from.getLogicalType().addToSchema(to);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static void requireRecord(Schema s) {
        if (s == null || s.getType() != Schema.Type.RECORD) {
            throw new SchemaMappingException("(root)", "a table schema must be an Avro record, got "
                    + (s == null ? "null" : s.getType()));
        }
    }
}
