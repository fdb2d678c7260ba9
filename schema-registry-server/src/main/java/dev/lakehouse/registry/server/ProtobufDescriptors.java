package dev.lakehouse.registry.server;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.WrappersProto;
import com.squareup.wire.Syntax;
import com.squareup.wire.schema.Field;
import com.squareup.wire.schema.internal.parser.EnumConstantElement;
import com.squareup.wire.schema.internal.parser.EnumElement;
import com.squareup.wire.schema.internal.parser.FieldElement;
import com.squareup.wire.schema.internal.parser.MessageElement;
import com.squareup.wire.schema.internal.parser.OneOfElement;
import com.squareup.wire.schema.internal.parser.OptionElement;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.TypeElement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stored {@code .proto} schema as a serialized {@code FileDescriptorProto}: what {@code ?format=serialized}
 * serves, and what Confluent's JavaScript and Go deserializers ask for. Type references are resolved to their fully
 * qualified names (leading dot) by Protobuf's scoping rules, against the file's own types, the files it imports (its
 * schema references) and the well-known types; {@code map<K, V>} fields become repeated fields of a nested entry
 * message, proto3 {@code optional} fields get their synthetic {@code oneof}, as {@code protoc} writes them.
 */
final class ProtobufDescriptors {

    private static final Map<String, Descriptors.FileDescriptor> WELL_KNOWN = Map.of(
            "google/protobuf/timestamp.proto", TimestampProto.getDescriptor(),
            "google/protobuf/duration.proto", DurationProto.getDescriptor(),
            "google/protobuf/wrappers.proto", WrappersProto.getDescriptor(),
            "google/protobuf/struct.proto", StructProto.getDescriptor(),
            "google/protobuf/any.proto", AnyProto.getDescriptor(),
            "google/protobuf/empty.proto", EmptyProto.getDescriptor(),
            "google/protobuf/field_mask.proto", FieldMaskProto.getDescriptor());
    private static final Pattern MAP_TYPE = Pattern.compile("map\\s*<\\s*([\\w.]+)\\s*,\\s*([\\w.]+)\\s*>");
    private static final Map<String, FieldDescriptorProto.Type> SCALARS = Map.ofEntries(
            Map.entry("double", FieldDescriptorProto.Type.TYPE_DOUBLE),
            Map.entry("float", FieldDescriptorProto.Type.TYPE_FLOAT),
            Map.entry("int64", FieldDescriptorProto.Type.TYPE_INT64),
            Map.entry("uint64", FieldDescriptorProto.Type.TYPE_UINT64),
            Map.entry("int32", FieldDescriptorProto.Type.TYPE_INT32),
            Map.entry("fixed64", FieldDescriptorProto.Type.TYPE_FIXED64),
            Map.entry("fixed32", FieldDescriptorProto.Type.TYPE_FIXED32),
            Map.entry("bool", FieldDescriptorProto.Type.TYPE_BOOL),
            Map.entry("string", FieldDescriptorProto.Type.TYPE_STRING),
            Map.entry("bytes", FieldDescriptorProto.Type.TYPE_BYTES),
            Map.entry("uint32", FieldDescriptorProto.Type.TYPE_UINT32),
            Map.entry("sfixed32", FieldDescriptorProto.Type.TYPE_SFIXED32),
            Map.entry("sfixed64", FieldDescriptorProto.Type.TYPE_SFIXED64),
            Map.entry("sint32", FieldDescriptorProto.Type.TYPE_SINT32),
            Map.entry("sint64", FieldDescriptorProto.Type.TYPE_SINT64));

    /** Full names of the messages (true) and enums (false) a file can refer to. */
    private final Map<String, Boolean> known = new java.util.HashMap<>();
    private final boolean proto3;

    private ProtobufDescriptors(boolean proto3) {
        this.proto3 = proto3;
    }

    /**
     * Base64 of the serialized descriptor of a stored {@code .proto} schema.
     *
     * @param name the file's name in the descriptor (a reference's name, or {@code schema.proto} for a subject's)
     * @param importedText the stored text of an imported file, by import path; null for one it cannot find
     * @throws RegistryError (42201) when a type it refers to is nowhere to be found
     */
    static String serialized(String name, String text, Function<String, String> importedText) {
        return Base64.getEncoder().encodeToString(descriptor(name, text, importedText).toByteArray());
    }

    static FileDescriptorProto descriptor(String name, String text, Function<String, String> importedText) {
        ProtoFileElement file = SchemaType.protobuf(text);
        ProtobufDescriptors builder = new ProtobufDescriptors(file.getSyntax() == Syntax.PROTO_3);
        builder.collect(file.getPackageName(), file.getTypes());
        List<String> imports = new ArrayList<>(file.getImports());
        imports.addAll(file.getPublicImports());
        builder.collectImports(imports, importedText, new HashSet<>());
        return builder.file(name, file);
    }

    private void collectImports(List<String> imports, Function<String, String> importedText, Set<String> seen) {
        for (String imported : imports) {
            if (!seen.add(imported)) {
                continue;
            }
            Descriptors.FileDescriptor wellKnown = WELL_KNOWN.get(imported);
            if (wellKnown != null) {
                wellKnown.getMessageTypes().forEach(this::collectWellKnown);
                wellKnown.getEnumTypes().forEach(e -> known.put(e.getFullName(), false));
                continue;
            }
            String text = importedText.apply(imported);
            if (text == null) {
                continue; // its types then fail to resolve, naming them
            }
            ProtoFileElement file = SchemaType.protobuf(text);
            collect(file.getPackageName(), file.getTypes());
            List<String> nested = new ArrayList<>(file.getImports());
            nested.addAll(file.getPublicImports());
            collectImports(nested, importedText, seen);
        }
    }

    private void collectWellKnown(Descriptors.Descriptor message) {
        known.put(message.getFullName(), true);
        message.getNestedTypes().forEach(this::collectWellKnown);
        message.getEnumTypes().forEach(e -> known.put(e.getFullName(), false));
    }

    private void collect(String scope, List<TypeElement> types) {
        for (TypeElement type : types) {
            String full = scope == null || scope.isEmpty() ? type.getName() : scope + "." + type.getName();
            known.put(full, type instanceof MessageElement);
            collect(full, type.getNestedTypes());
        }
    }

    private FileDescriptorProto file(String name, ProtoFileElement file) {
        FileDescriptorProto.Builder proto = FileDescriptorProto.newBuilder().setName(name)
                .setSyntax(proto3 ? "proto3" : "proto2");
        String pkg = file.getPackageName() == null ? "" : file.getPackageName();
        if (!pkg.isEmpty()) {
            proto.setPackage(pkg);
        }
        file.getImports().forEach(proto::addDependency);
        for (String imported : file.getPublicImports()) {
            proto.addPublicDependency(proto.getDependencyCount());
            proto.addDependency(imported);
        }
        FileOptions.Builder options = FileOptions.newBuilder();
        for (OptionElement option : file.getOptions()) {
            String value = String.valueOf(option.getValue());
            switch (option.getName()) {
                case "java_package" -> options.setJavaPackage(value);
                case "java_outer_classname" -> options.setJavaOuterClassname(value);
                case "java_multiple_files" -> options.setJavaMultipleFiles(Boolean.parseBoolean(value));
                case "go_package" -> options.setGoPackage(value);
                case "csharp_namespace" -> options.setCsharpNamespace(value);
                default -> {
                    // Other options change no value's encoding.
                }
            }
        }
        if (!options.build().equals(FileOptions.getDefaultInstance())) {
            proto.setOptions(options);
        }
        for (TypeElement type : file.getTypes()) {
            if (type instanceof MessageElement message) {
                proto.addMessageType(message(message, pkg));
            } else if (type instanceof EnumElement enumeration) {
                proto.addEnumType(enumeration(enumeration));
            }
        }
        return proto.build();
    }

    private DescriptorProto message(MessageElement message, String scope) {
        String full = scope.isEmpty() ? message.getName() : scope + "." + message.getName();
        DescriptorProto.Builder builder = DescriptorProto.newBuilder().setName(message.getName());
        if (message.getOptions().stream().anyMatch(o -> o.getName().equals("map_entry")
                && String.valueOf(o.getValue()).equals("true"))) {
            builder.setOptions(MessageOptions.newBuilder().setMapEntry(true));
        }
        List<String> syntheticOneofs = new ArrayList<>();
        for (FieldElement field : message.getFields()) {
            builder.addField(field(field, full, builder, null, syntheticOneofs));
        }
        for (OneOfElement oneof : message.getOneOfs()) {
            int index = builder.getOneofDeclCount();
            builder.addOneofDecl(OneofDescriptorProto.newBuilder().setName(oneof.getName()));
            for (FieldElement field : oneof.getFields()) {
                builder.addField(field(field, full, builder, index, syntheticOneofs));
            }
        }
        // protoc puts proto3 optional fields' synthetic oneofs after the real ones.
        int firstSynthetic = builder.getOneofDeclCount();
        for (int i = 0; i < syntheticOneofs.size(); i++) {
            builder.addOneofDecl(OneofDescriptorProto.newBuilder().setName(syntheticOneofs.get(i)));
        }
        int synthetic = 0;
        for (int i = 0; i < builder.getFieldCount(); i++) {
            if (builder.getField(i).getProto3Optional()) {
                builder.setField(i, builder.getField(i).toBuilder().setOneofIndex(firstSynthetic + synthetic++));
            }
        }
        for (TypeElement nested : message.getNestedTypes()) {
            if (nested instanceof MessageElement nestedMessage) {
                builder.addNestedType(message(nestedMessage, full));
            } else if (nested instanceof EnumElement enumeration) {
                builder.addEnumType(enumeration(enumeration));
            }
        }
        return builder.build();
    }

    private FieldDescriptorProto field(FieldElement field, String scope, DescriptorProto.Builder message,
                                       Integer oneofIndex, List<String> syntheticOneofs) {
        FieldDescriptorProto.Builder builder = FieldDescriptorProto.newBuilder().setName(field.getName())
                .setNumber(field.getTag())
                .setJsonName(field.getJsonName() != null ? field.getJsonName()
                        : ProtobufDescriptorText.defaultJsonName(field.getName()));
        Matcher map = MAP_TYPE.matcher(field.getType());
        if (map.matches()) {
            String entryName = entryName(field.getName());
            message.addNestedType(DescriptorProto.newBuilder().setName(entryName)
                    .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                    .addField(typed(FieldDescriptorProto.newBuilder().setName("key").setNumber(1).setJsonName("key")
                            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL), map.group(1), scope))
                    .addField(typed(FieldDescriptorProto.newBuilder().setName("value").setNumber(2)
                            .setJsonName("value").setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL), map.group(2),
                            scope)));
            return builder.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
                    .setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName("." + scope + "." + entryName)
                    .build();
        }
        Field.Label label = field.getLabel();
        if (label == Field.Label.REPEATED) {
            builder.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED);
        } else if (label == Field.Label.REQUIRED) {
            builder.setLabel(FieldDescriptorProto.Label.LABEL_REQUIRED);
        } else {
            builder.setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
            if (proto3 && label == Field.Label.OPTIONAL && oneofIndex == null) {
                builder.setProto3Optional(true);
                syntheticOneofs.add("_" + field.getName());
            }
        }
        if (oneofIndex != null) {
            builder.setOneofIndex(oneofIndex);
        }
        if (field.getDefaultValue() != null) {
            builder.setDefaultValue(field.getDefaultValue());
        }
        for (OptionElement option : field.getOptions()) {
            if (option.getName().equals("packed")) {
                builder.setOptions(FieldOptions.newBuilder()
                        .setPacked(Boolean.parseBoolean(String.valueOf(option.getValue()))));
            }
        }
        return typed(builder, field.getType(), scope).build();
    }

    private FieldDescriptorProto.Builder typed(FieldDescriptorProto.Builder field, String type, String scope) {
        FieldDescriptorProto.Type scalar = SCALARS.get(type);
        if (scalar != null) {
            return field.setType(scalar);
        }
        String full = resolve(type, scope);
        return field.setType(known.get(full) ? FieldDescriptorProto.Type.TYPE_MESSAGE
                : FieldDescriptorProto.Type.TYPE_ENUM).setTypeName("." + full);
    }

    /** Protobuf's scoping: the innermost enclosing scope that has the name, then outward to the root. */
    private String resolve(String type, String scope) {
        if (type.startsWith(".")) {
            String full = type.substring(1);
            if (known.containsKey(full)) {
                return full;
            }
        } else {
            String current = scope;
            while (true) {
                String candidate = current.isEmpty() ? type : current + "." + type;
                if (known.containsKey(candidate)) {
                    return candidate;
                }
                if (current.isEmpty()) {
                    break;
                }
                int dot = current.lastIndexOf('.');
                current = dot < 0 ? "" : current.substring(0, dot);
            }
        }
        throw RegistryError.invalidSchema("the Protobuf type " + type + " (used in " + scope + ") is not defined in "
                + "the schema, its references or the well-known types");
    }

    private static EnumDescriptorProto enumeration(EnumElement enumeration) {
        EnumDescriptorProto.Builder builder = EnumDescriptorProto.newBuilder().setName(enumeration.getName());
        if (enumeration.getOptions().stream().anyMatch(o -> o.getName().equals("allow_alias")
                && String.valueOf(o.getValue()).equals("true"))) {
            builder.setOptions(com.google.protobuf.DescriptorProtos.EnumOptions.newBuilder().setAllowAlias(true));
        }
        for (EnumConstantElement constant : enumeration.getConstants()) {
            builder.addValue(EnumValueDescriptorProto.newBuilder().setName(constant.getName())
                    .setNumber(constant.getTag()));
        }
        return builder.build();
    }

    /** protoc's name for a map field's entry message: the field name in CamelCase, then {@code Entry}. */
    private static String entryName(String field) {
        return ProtobufDescriptorText.camelCase(field, true) + "Entry";
    }
}
