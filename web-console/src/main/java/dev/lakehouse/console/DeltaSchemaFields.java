package dev.lakehouse.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The table's columns as Delta types, read from the schema string of the table's metadata (the Delta protocol's
 * JSON form): what a reader of the table sees ({@code string}, {@code timestamp}, {@code decimal(10,2)},
 * {@code struct<x: int>}), not the Avro types the records were written with. Type names follow Spark's.
 */
final class DeltaSchemaFields {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeltaSchemaFields() {
    }

    /**
     * The top-level columns in table order.
     *
     * @throws IllegalArgumentException when the text is not a Delta struct schema
     */
    static List<Views.FieldView> of(String deltaSchemaJson) {
        JsonNode root;
        try {
            root = JSON.readTree(deltaSchemaJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the table's schema is not JSON: " + e.getOriginalMessage(), e);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("the table's schema cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !"struct".equals(root.path("type").asText()) || !root.path("fields").isArray()) {
            throw new IllegalArgumentException("the table's schema is not a Delta struct: " + deltaSchemaJson);
        }
        List<Views.FieldView> fields = new ArrayList<>();
        for (JsonNode field : root.path("fields")) {
            fields.add(new Views.FieldView(field.path("name").asText(), typeName(field.path("type")),
                    field.path("nullable").asBoolean(true)));
        }
        return fields;
    }

    /** A Delta type as Spark prints it: primitives by name, nested types with their element types. */
    static String typeName(JsonNode type) {
        if (type.isTextual()) {
            return type.asText();
        }
        return switch (type.path("type").asText()) {
            case "struct" -> {
                List<String> members = new ArrayList<>();
                type.path("fields").forEach(f -> members.add(f.path("name").asText() + ": " + typeName(f.path("type"))));
                yield "struct<" + String.join(", ", members) + ">";
            }
            case "array" -> "array<" + typeName(type.path("elementType")) + ">";
            case "map" -> "map<" + typeName(type.path("keyType")) + ", " + typeName(type.path("valueType")) + ">";
            default -> type.toString();
        };
    }
}
