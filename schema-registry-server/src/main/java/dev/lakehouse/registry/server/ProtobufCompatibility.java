package dev.lakehouse.registry.server;

import com.squareup.wire.schema.Field;
import com.squareup.wire.schema.internal.parser.FieldElement;
import com.squareup.wire.schema.internal.parser.MessageElement;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.TypeElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether values written with one Protobuf schema read with another, on what the wire format depends on: a field
 * keeps its number's type (or one of the same wire encoding, such as {@code int32} and {@code int64}) and whether it
 * repeats. Fields added or removed are compatible both ways (readers skip unknown fields and default missing ones);
 * so are new messages. Messages are matched by their full name.
 */
final class ProtobufCompatibility {

    /** Types whose values share one wire encoding and read as each other. */
    private static final List<Set<String>> SAME_ENCODING = List.of(
            Set.of("int32", "uint32", "int64", "uint64", "bool"),
            Set.of("sint32", "sint64"),
            Set.of("fixed32", "sfixed32"),
            Set.of("fixed64", "sfixed64"),
            Set.of("string", "bytes"));

    private ProtobufCompatibility() {
    }

    /** The problems of reading {@code writer}'s values with {@code reader}; empty when compatible. */
    static List<String> problems(ProtoFileElement reader, ProtoFileElement writer) {
        Map<String, MessageElement> readerMessages = new HashMap<>();
        collect(reader.getTypes(), "", readerMessages);
        Map<String, MessageElement> writerMessages = new HashMap<>();
        collect(writer.getTypes(), "", writerMessages);
        List<String> problems = new ArrayList<>();
        writerMessages.forEach((name, written) -> {
            MessageElement read = readerMessages.get(name);
            if (read == null) {
                return;
            }
            Map<Integer, FieldElement> readFields = fieldsByTag(read);
            fieldsByTag(written).forEach((tag, field) -> {
                FieldElement readField = readFields.get(tag);
                if (readField == null) {
                    return;
                }
                if (!sameEncoding(readField.getType(), field.getType())) {
                    problems.add("{errorType:'FIELD_TYPE_CHANGED', field:'" + name + "." + readField.getName()
                            + "', description:'field " + tag + " is " + field.getType() + " in one schema and "
                            + readField.getType() + " in the other'}");
                } else if ((readField.getLabel() == Field.Label.REPEATED)
                        != (field.getLabel() == Field.Label.REPEATED)) {
                    problems.add("{errorType:'FIELD_REPETITION_CHANGED', field:'" + name + "."
                            + readField.getName() + "', description:'field " + tag + " repeats in one schema only'}");
                }
            });
        });
        return problems;
    }

    private static void collect(List<TypeElement> types, String prefix, Map<String, MessageElement> into) {
        for (TypeElement type : types) {
            if (type instanceof MessageElement message) {
                String name = prefix + message.getName();
                into.put(name, message);
                collect(message.getNestedTypes(), name + ".", into);
            }
        }
    }

    private static Map<Integer, FieldElement> fieldsByTag(MessageElement message) {
        Map<Integer, FieldElement> fields = new HashMap<>();
        message.getFields().forEach(f -> fields.put(f.getTag(), f));
        message.getOneOfs().forEach(o -> o.getFields().forEach(f -> fields.put(f.getTag(), f)));
        return fields;
    }

    private static boolean sameEncoding(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        return SAME_ENCODING.stream().anyMatch(group -> group.contains(a) && group.contains(b));
    }
}
