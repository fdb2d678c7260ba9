package dev.lakehouse.registry.server;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Protobuf schema sent as a serialized {@code FileDescriptorProto} (base64), as Confluent's clients register
 * them (the JavaScript and Go serializers always do), written out as the {@code .proto} text the registry stores and
 * serves. What a value's encoding depends on is kept: syntax, package, imports, messages and nested messages, enums,
 * fields with their numbers, types, labels and proto3 {@code optional}, {@code oneof}s, maps (their entry messages
 * become {@code map<K, V>} fields), proto2 defaults, {@code packed} and {@code json_name} when they differ from the
 * defaults, and the common file options. Type references stay fully qualified (leading dot), as the descriptor has
 * them. Services, extensions, reserved ranges and custom options are not written: no value depends on them.
 */
final class ProtobufDescriptorText {

    private static final Map<FieldDescriptorProto.Type, String> SCALARS = new HashMap<>();

    static {
        SCALARS.put(FieldDescriptorProto.Type.TYPE_DOUBLE, "double");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_FLOAT, "float");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_INT64, "int64");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_UINT64, "uint64");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_INT32, "int32");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_FIXED64, "fixed64");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_FIXED32, "fixed32");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_BOOL, "bool");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_STRING, "string");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_BYTES, "bytes");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_UINT32, "uint32");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_SFIXED32, "sfixed32");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_SFIXED64, "sfixed64");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_SINT32, "sint32");
        SCALARS.put(FieldDescriptorProto.Type.TYPE_SINT64, "sint64");
    }

    private ProtobufDescriptorText() {
    }

    /**
     * The descriptor a schema text holds, if it is one: base64 of a serialized {@code FileDescriptorProto}.
     *
     * @return null when the text is not base64 of a descriptor (it is then {@code .proto} text, or nothing)
     */
    static FileDescriptorProto decode(String text) {
        String compact = text.strip();
        if (compact.isEmpty() || !compact.matches("[A-Za-z0-9+/_=\\-\\s]+")) {
            return null;
        }
        try {
            byte[] bytes = compact.contains("-") || compact.contains("_")
                    ? Base64.getUrlDecoder().decode(compact.replaceAll("\\s", ""))
                    : Base64.getMimeDecoder().decode(compact);
            FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
            return file.getMessageTypeCount() + file.getEnumTypeCount() > 0 || file.hasPackage() ? file : null;
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            return null;
        }
    }

    /**
     * The {@code .proto} text of a descriptor.
     *
     * @throws RegistryError (42201) for what a {@code .proto} file of this registry cannot say (editions, groups)
     */
    static String render(FileDescriptorProto file) {
        String syntax = file.getSyntax().isEmpty() ? "proto2" : file.getSyntax();
        if (!syntax.equals("proto2") && !syntax.equals("proto3")) {
            throw RegistryError.invalidSchema("the Protobuf descriptor " + file.getName() + " has syntax '" + syntax
                    + "'; this registry stores proto2 and proto3 schemas");
        }
        boolean proto3 = syntax.equals("proto3");
        StringBuilder out = new StringBuilder();
        out.append("syntax = \"").append(syntax).append("\";\n");
        if (file.hasPackage() && !file.getPackage().isEmpty()) {
            out.append("package ").append(file.getPackage()).append(";\n");
        }
        Set<Integer> publicImports = Set.copyOf(file.getPublicDependencyList());
        for (int i = 0; i < file.getDependencyCount(); i++) {
            out.append("import ").append(publicImports.contains(i) ? "public " : "").append('"')
                    .append(file.getDependency(i)).append("\";\n");
        }
        fileOptions(file.getOptions(), out);
        for (DescriptorProto message : file.getMessageTypeList()) {
            out.append('\n');
            message(message, proto3, "", out);
        }
        for (EnumDescriptorProto enumeration : file.getEnumTypeList()) {
            out.append('\n');
            enumeration(enumeration, "", out);
        }
        return out.toString();
    }

    private static void fileOptions(FileOptions options, StringBuilder out) {
        if (options.hasJavaPackage()) {
            option("java_package", quoted(options.getJavaPackage()), out);
        }
        if (options.hasJavaOuterClassname()) {
            option("java_outer_classname", quoted(options.getJavaOuterClassname()), out);
        }
        if (options.hasJavaMultipleFiles()) {
            option("java_multiple_files", Boolean.toString(options.getJavaMultipleFiles()), out);
        }
        if (options.hasGoPackage()) {
            option("go_package", quoted(options.getGoPackage()), out);
        }
        if (options.hasCsharpNamespace()) {
            option("csharp_namespace", quoted(options.getCsharpNamespace()), out);
        }
    }

    private static void option(String name, String value, StringBuilder out) {
        out.append("option ").append(name).append(" = ").append(value).append(";\n");
    }

    private static void message(DescriptorProto message, boolean proto3, String indent, StringBuilder out) {
        out.append(indent).append("message ").append(message.getName()).append(" {\n");
        String inner = indent + "  ";
        // Map fields point at nested entry messages; those are written as map<K, V> and not as messages.
        Map<String, DescriptorProto> mapEntries = new HashMap<>();
        for (DescriptorProto nested : message.getNestedTypeList()) {
            if (nested.getOptions().getMapEntry()) {
                mapEntries.put(nested.getName(), nested);
            }
        }
        List<List<FieldDescriptorProto>> oneofs = new ArrayList<>();
        for (int i = 0; i < message.getOneofDeclCount(); i++) {
            oneofs.add(new ArrayList<>());
        }
        for (FieldDescriptorProto field : message.getFieldList()) {
            if (field.hasOneofIndex() && !field.getProto3Optional()) {
                oneofs.get(field.getOneofIndex()).add(field);
                continue;
            }
            field(field, proto3, false, mapEntries, inner, out);
        }
        for (int i = 0; i < oneofs.size(); i++) {
            if (oneofs.get(i).isEmpty()) {
                continue; // a proto3 optional field's synthetic oneof: the field says "optional" instead
            }
            out.append(inner).append("oneof ").append(message.getOneofDecl(i).getName()).append(" {\n");
            for (FieldDescriptorProto field : oneofs.get(i)) {
                field(field, proto3, true, mapEntries, inner + "  ", out);
            }
            out.append(inner).append("}\n");
        }
        for (DescriptorProto nested : message.getNestedTypeList()) {
            if (!mapEntries.containsKey(nested.getName())) {
                message(nested, proto3, inner, out);
            }
        }
        for (EnumDescriptorProto enumeration : message.getEnumTypeList()) {
            enumeration(enumeration, inner, out);
        }
        out.append(indent).append("}\n");
    }

    private static void field(FieldDescriptorProto field, boolean proto3, boolean inOneof,
                              Map<String, DescriptorProto> mapEntries, String indent, StringBuilder out) {
        if (field.getType() == FieldDescriptorProto.Type.TYPE_GROUP) {
            throw RegistryError.invalidSchema("field " + field.getName() + " is a proto2 group, which this registry "
                    + "does not store; use a nested message");
        }
        DescriptorProto entry = field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED
                ? mapEntries.get(simpleName(field.getTypeName())) : null;
        out.append(indent);
        if (entry != null) {
            out.append("map<").append(type(entry.getField(0))).append(", ").append(type(entry.getField(1)))
                    .append("> ");
        } else {
            if (!inOneof) {
                out.append(label(field, proto3));
            }
            out.append(type(field)).append(' ');
        }
        out.append(field.getName()).append(" = ").append(field.getNumber());
        List<String> options = new ArrayList<>();
        if (field.hasDefaultValue()) {
            boolean text = field.getType() == FieldDescriptorProto.Type.TYPE_STRING
                    || field.getType() == FieldDescriptorProto.Type.TYPE_BYTES;
            // A bytes default is already C-escaped in the descriptor; a string's is the raw text.
            options.add("default = " + (text ? field.getType() == FieldDescriptorProto.Type.TYPE_BYTES
                    ? "\"" + field.getDefaultValue() + "\"" : quoted(field.getDefaultValue())
                    : field.getDefaultValue()));
        }
        if (field.getOptions().hasPacked()) {
            options.add("packed = " + field.getOptions().getPacked());
        }
        if (field.hasJsonName() && !field.getJsonName().equals(defaultJsonName(field.getName()))) {
            options.add("json_name = " + quoted(field.getJsonName()));
        }
        if (field.getOptions().getDeprecated()) {
            options.add("deprecated = true");
        }
        if (!options.isEmpty()) {
            out.append(" [").append(String.join(", ", options)).append(']');
        }
        out.append(";\n");
    }

    private static String label(FieldDescriptorProto field, boolean proto3) {
        if (field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED) {
            return "repeated ";
        }
        if (proto3) {
            return field.getProto3Optional() ? "optional " : "";
        }
        return field.getLabel() == FieldDescriptorProto.Label.LABEL_REQUIRED ? "required " : "optional ";
    }

    private static String type(FieldDescriptorProto field) {
        String scalar = SCALARS.get(field.getType());
        if (scalar != null) {
            return scalar;
        }
        if (field.getTypeName().isEmpty()) {
            throw RegistryError.invalidSchema("field " + field.getName() + " has neither a scalar type nor a type "
                    + "name");
        }
        return field.getTypeName();
    }

    private static void enumeration(EnumDescriptorProto enumeration, String indent, StringBuilder out) {
        out.append(indent).append("enum ").append(enumeration.getName()).append(" {\n");
        if (enumeration.getOptions().getAllowAlias()) {
            out.append(indent).append("  option allow_alias = true;\n");
        }
        for (EnumValueDescriptorProto value : enumeration.getValueList()) {
            out.append(indent).append("  ").append(value.getName()).append(" = ").append(value.getNumber())
                    .append(";\n");
        }
        out.append(indent).append("}\n");
    }

    private static String simpleName(String typeName) {
        return typeName.substring(typeName.lastIndexOf('.') + 1);
    }

    /** protoc's json_name: the field name in lowerCamelCase, underscores dropped. */
    static String defaultJsonName(String name) {
        return camelCase(name, false);
    }

    /** A field name in camel case as protoc forms it: underscores dropped, the letter after one upper-cased. */
    static String camelCase(String name, boolean upperFirst) {
        StringBuilder camel = new StringBuilder();
        boolean upper = upperFirst;
        for (char c : name.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
