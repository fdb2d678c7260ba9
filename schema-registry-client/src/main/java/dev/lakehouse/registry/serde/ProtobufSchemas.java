package dev.lakehouse.registry.serde;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.WrappersProto;
import com.squareup.wire.Syntax;
import com.squareup.wire.schema.Field;
import com.squareup.wire.schema.Location;
import com.squareup.wire.schema.internal.parser.EnumConstantElement;
import com.squareup.wire.schema.internal.parser.EnumElement;
import com.squareup.wire.schema.internal.parser.FieldElement;
import com.squareup.wire.schema.internal.parser.MessageElement;
import com.squareup.wire.schema.internal.parser.OneOfElement;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.ProtoParser;
import com.squareup.wire.schema.internal.parser.TypeElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Protobuf schemas as the registry holds them ({@code .proto} text) turned into protobuf-java descriptors, so values
 * decode as dynamic messages without generated classes. The text is parsed with Wire's parser (what Confluent's
 * own tools use); messages, nested messages, enums, {@code oneof}s, {@code map<K, V>} fields, proto2 labels and proto3
 * {@code optional} are kept. Imports of the well-known types ({@code google/protobuf/timestamp.proto},
 * {@code wrappers.proto}, {@code duration.proto}, {@code struct.proto}, {@code any.proto}, {@code empty.proto},
 * {@code field_mask.proto}) resolve to protobuf-java's own; any other import is asked of the caller (the
 * registry's schema references). Options, services and extensions are not needed to read values and are left out.
 */
public final class ProtobufSchemas {

    private static final Map<String, FileDescriptor> WELL_KNOWN = Map.of(
            "google/protobuf/timestamp.proto", TimestampProto.getDescriptor(),
            "google/protobuf/duration.proto", DurationProto.getDescriptor(),
            "google/protobuf/wrappers.proto", WrappersProto.getDescriptor(),
            "google/protobuf/struct.proto", StructProto.getDescriptor(),
            "google/protobuf/any.proto", AnyProto.getDescriptor(),
            "google/protobuf/empty.proto", EmptyProto.getDescriptor(),
            "google/protobuf/field_mask.proto", FieldMaskProto.getDescriptor());
    private static final Pattern MAP_TYPE = Pattern.compile("map\\s*<\\s*([\\w.]+)\\s*,\\s*([\\w.]+)\\s*>");

    private ProtobufSchemas() {
    }

    /** The parsed text, for callers that compare or canonicalize schemas. */
    public static ProtoFileElement parse(String name, String protoText) {
        return ProtoParser.Companion.parse(Location.get(name), protoText);
    }

    /**
     * The descriptor of a {@code .proto} file.
     *
     * @param name the file's name (what other files import it as)
     * @param protoText its text
     * @param imports the descriptors of the files it imports, by import path, other than the well-known types
     * @throws IllegalArgumentException if the text does not parse or its types do not resolve; the message says
     *     which
     */
    public static FileDescriptor descriptor(String name, String protoText, Function<String, FileDescriptor> imports) {
        ProtoFileElement file;
        try {
            file = parse(name, protoText);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the Protobuf schema " + name + " does not parse: " + e.getMessage(), e);
        }
        boolean proto3 = file.getSyntax() == Syntax.PROTO_3;
        FileDescriptorProto.Builder proto = FileDescriptorProto.newBuilder().setName(name)
                .setSyntax(proto3 ? "proto3" : "proto2");
        if (file.getPackageName() != null) {
            proto.setPackage(file.getPackageName());
        }
        List<FileDescriptor> dependencies = new ArrayList<>();
        List<String> allImports = new ArrayList<>(file.getImports());
        allImports.addAll(file.getPublicImports());
        for (String imported : allImports) {
            proto.addDependency(imported);
            FileDescriptor dependency = WELL_KNOWN.containsKey(imported) ? WELL_KNOWN.get(imported)
                    : imports.apply(imported);
            if (dependency == null) {
                throw new IllegalArgumentException("the Protobuf schema " + name + " imports " + imported
                        + ", which is neither a well-known type nor among its schema references");
            }
            dependencies.add(dependency);
        }
        for (TypeElement type : file.getTypes()) {
            if (type instanceof MessageElement message) {
                proto.addMessageType(message(message, proto3));
            } else if (type instanceof EnumElement enumeration) {
                proto.addEnumType(enumeration(enumeration));
            }
        }
        try {
            return FileDescriptor.buildFrom(proto.build(), dependencies.toArray(new FileDescriptor[0]));
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException("the Protobuf schema " + name + " is not valid: " + e.getMessage(), e);
        }
    }

    private static DescriptorProto message(MessageElement message, boolean proto3) {
        DescriptorProto.Builder builder = DescriptorProto.newBuilder().setName(message.getName());
        // A map written out as its entry message (how registries rendered map fields for years): the option is
        // what makes the repeated entry field a map, for protoc and for the table alike.
        boolean mapEntry = message.getOptions().stream().anyMatch(o -> o.getName().equals("map_entry")
                && String.valueOf(o.getValue()).equals("true"));
        if (mapEntry) {
            builder.setOptions(MessageOptions.newBuilder().setMapEntry(true));
        }
        // Fields in declaration order, oneof members where they stand, as protoc declares them.
        record Declared(FieldElement field, int oneOfIndex) {
        }
        List<Declared> declared = new ArrayList<>();
        message.getFields().forEach(f -> declared.add(new Declared(f, -1)));
        for (OneOfElement oneOf : message.getOneOfs()) {
            int index = builder.getOneofDeclCount();
            builder.addOneofDecl(OneofDescriptorProto.newBuilder().setName(oneOf.getName()));
            oneOf.getFields().forEach(f -> declared.add(new Declared(f, index)));
        }
        declared.sort(java.util.Comparator.comparingInt((Declared d) -> d.field().getLocation().getLine())
                .thenComparingInt(d -> d.field().getLocation().getColumn()));
        for (Declared d : declared) {
            builder.addField(field(builder, d.field(), proto3, d.oneOfIndex()));
        }
        // proto3 "optional": a synthetic one-field oneof after the real ones, as protoc declares it.
        for (int i = 0; i < builder.getFieldCount(); i++) {
            FieldDescriptorProto field = builder.getField(i);
            if (field.getProto3Optional()) {
                int index = builder.getOneofDeclCount();
                builder.addOneofDecl(OneofDescriptorProto.newBuilder().setName("_" + field.getName()));
                builder.setField(i, field.toBuilder().setOneofIndex(index));
            }
        }
        for (TypeElement nested : message.getNestedTypes()) {
            if (nested instanceof MessageElement nestedMessage) {
                builder.addNestedType(message(nestedMessage, proto3));
            } else if (nested instanceof EnumElement nestedEnum) {
                builder.addEnumType(enumeration(nestedEnum));
            }
        }
        return builder.build();
    }

    private static FieldDescriptorProto field(DescriptorProto.Builder message, FieldElement field, boolean proto3,
                                              int oneOfIndex) {
        FieldDescriptorProto.Builder builder = FieldDescriptorProto.newBuilder().setName(field.getName())
                .setNumber(field.getTag()).setJsonName(field.getJsonName() != null ? field.getJsonName()
                        : jsonName(field.getName()));
        Matcher map = MAP_TYPE.matcher(field.getType());
        Field.Label label = field.getLabel();
        if (map.matches()) {
            // map<K, V>: a repeated nested entry message, as protoc declares it.
            String entry = entryName(field.getName());
            message.addNestedType(DescriptorProto.newBuilder().setName(entry)
                    .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                    .addField(typed(FieldDescriptorProto.newBuilder().setName("key").setNumber(1).setJsonName("key")
                            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL), map.group(1)))
                    .addField(typed(FieldDescriptorProto.newBuilder().setName("value").setNumber(2)
                            .setJsonName("value").setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL), map.group(2))));
            return builder.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).setTypeName(entry).build();
        }
        typed(builder, field.getType());
        if (label == Field.Label.REPEATED) {
            builder.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED);
        } else if (label == Field.Label.REQUIRED) {
            builder.setLabel(FieldDescriptorProto.Label.LABEL_REQUIRED);
        } else {
            builder.setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
            if (proto3 && label == Field.Label.OPTIONAL) {
                builder.setProto3Optional(true);
            }
        }
        if (oneOfIndex >= 0) {
            builder.setOneofIndex(oneOfIndex);
        }
        return builder.build();
    }

    /** Sets a scalar's type, or the name of a message or enum type for the descriptor pool to resolve. */
    private static FieldDescriptorProto.Builder typed(FieldDescriptorProto.Builder builder, String type) {
        FieldDescriptorProto.Type scalar = switch (type) {
            case "double" -> FieldDescriptorProto.Type.TYPE_DOUBLE;
            case "float" -> FieldDescriptorProto.Type.TYPE_FLOAT;
            case "int64" -> FieldDescriptorProto.Type.TYPE_INT64;
            case "uint64" -> FieldDescriptorProto.Type.TYPE_UINT64;
            case "int32" -> FieldDescriptorProto.Type.TYPE_INT32;
            case "fixed64" -> FieldDescriptorProto.Type.TYPE_FIXED64;
            case "fixed32" -> FieldDescriptorProto.Type.TYPE_FIXED32;
            case "bool" -> FieldDescriptorProto.Type.TYPE_BOOL;
            case "string" -> FieldDescriptorProto.Type.TYPE_STRING;
            case "bytes" -> FieldDescriptorProto.Type.TYPE_BYTES;
            case "uint32" -> FieldDescriptorProto.Type.TYPE_UINT32;
            case "sfixed32" -> FieldDescriptorProto.Type.TYPE_SFIXED32;
            case "sfixed64" -> FieldDescriptorProto.Type.TYPE_SFIXED64;
            case "sint32" -> FieldDescriptorProto.Type.TYPE_SINT32;
            case "sint64" -> FieldDescriptorProto.Type.TYPE_SINT64;
            default -> null;
        };
        return scalar != null ? builder.setType(scalar) : builder.setTypeName(type);
    }

    private static EnumDescriptorProto enumeration(EnumElement enumeration) {
        EnumDescriptorProto.Builder builder = EnumDescriptorProto.newBuilder().setName(enumeration.getName());
        for (EnumConstantElement constant : enumeration.getConstants()) {
            builder.addValue(EnumValueDescriptorProto.newBuilder().setName(constant.getName())
                    .setNumber(constant.getTag()));
        }
        return builder.build();
    }

    /** protoc's name of a map field's entry message: {@code item_counts} → {@code ItemCountsEntry}. */
    private static String entryName(String field) {
        StringBuilder name = new StringBuilder();
        boolean upper = true;
        for (char c : field.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.append("Entry").toString();
    }

    /** protoc's JSON name: lower camel case. */
    private static String jsonName(String field) {
        String camel = entryName(field);
        camel = camel.substring(0, camel.length() - "Entry".length());
        return camel.isEmpty() ? camel : camel.substring(0, 1).toLowerCase(Locale.ROOT) + camel.substring(1);
    }
}
