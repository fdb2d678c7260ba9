package dev.lakehouse.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a JSON Schema (the reader) accepts every document another one (the writer) accepts, checked on what
 * producers change in practice: object properties, their types and {@code required}, at any depth of objects and
 * array items. Adding an optional property is compatible both ways; a property whose type changes (other than
 * integer widened to number), a property the reader requires that the writer does not, and a property the writer
 * allows that a closed reader ({@code additionalProperties: false}) lacks are not.
 */
final class JsonSchemaCompatibility {

    private JsonSchemaCompatibility() {
    }

    /** The problems of reading {@code writer}'s documents with {@code reader}; empty when compatible. */
    static List<String> problems(JsonNode reader, JsonNode writer) {
        List<String> problems = new ArrayList<>();
        compare(reader, writer, "", problems);
        return problems;
    }

    private static void compare(JsonNode reader, JsonNode writer, String path, List<String> problems) {
        if (!reader.isObject() || !writer.isObject()) {
            return;
        }
        Set<String> readerTypes = types(reader);
        Set<String> writerTypes = types(writer);
        if (!readerTypes.isEmpty() && !writerTypes.isEmpty() && !accepts(readerTypes, writerTypes)) {
            problems.add("{errorType:'TYPE_CHANGED', field:'" + where(path) + "', description:'the reader takes "
                    + readerTypes + " but the writer writes " + writerTypes + "'}");
            return;
        }
        JsonNode readerProperties = reader.path("properties");
        JsonNode writerProperties = writer.path("properties");
        Set<String> writerRequired = names(writer.path("required"));
        for (String required : names(reader.path("required"))) {
            if (!writerRequired.contains(required)) {
                problems.add("{errorType:'REQUIRED_PROPERTY_ADDED', field:'" + join(path, required)
                        + "', description:'the reader requires a property the writer does not'}");
            }
        }
        boolean readerClosed = reader.path("additionalProperties").isBoolean()
                && !reader.path("additionalProperties").booleanValue();
        for (Iterator<Map.Entry<String, JsonNode>> it = writerProperties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            JsonNode readerProperty = readerProperties.get(property.getKey());
            if (readerProperty == null) {
                if (readerClosed) {
                    problems.add("{errorType:'PROPERTY_REMOVED_FROM_CLOSED_SCHEMA', field:'"
                            + join(path, property.getKey()) + "', description:'the writer writes a property the "
                            + "reader does not allow (additionalProperties: false)'}");
                }
                continue;
            }
            compare(readerProperty, property.getValue(), join(path, property.getKey()), problems);
        }
        if (reader.has("items") && writer.has("items")) {
            compare(reader.get("items"), writer.get("items"), path + "[]", problems);
        }
    }

    /** Whether a value of any of {@code writer}'s types is one of {@code reader}'s (an integer is a number). */
    private static boolean accepts(Set<String> reader, Set<String> writer) {
        for (String type : writer) {
            if (!reader.contains(type) && !(type.equals("integer") && reader.contains("number"))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> types(JsonNode schema) {
        JsonNode type = schema.path("type");
        Set<String> types = new HashSet<>();
        if (type.isTextual()) {
            types.add(type.asText());
        } else if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        }
        return types;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new HashSet<>();
        if (array.isArray()) {
            array.forEach(n -> names.add(n.asText()));
        }
        return names;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String where(String path) {
        return path.isEmpty() ? "(root)" : path;
    }
}
