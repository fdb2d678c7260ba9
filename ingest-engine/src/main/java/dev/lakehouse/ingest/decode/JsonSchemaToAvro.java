package dev.lakehouse.ingest.decode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * The Avro record schema (and so the table columns) of a JSON Schema document, as producers using Confluent's
 * JSON Schema serializer describe their values.
 *
 * <p>Mapping: {@code object} with {@code properties} → record (nested objects → nested records); {@code object}
 * with only {@code additionalProperties: {schema}} → map; {@code array} → array of its {@code items};
 * {@code string} → string, with {@code format: date-time} → timestamp (microseconds) and {@code format: date} →
 * date; {@code integer} → long; {@code number} → double; {@code boolean} → boolean; {@code enum} of strings →
 * string. {@code "type": [T, "null"]} and {@code oneOf}/{@code anyOf} of one type and {@code null} → T. Local
 * references ({@code #/definitions/...}, {@code #/$defs/...}) are followed. Anything else (free-form objects,
 * mixed types, recursive references, a property without a type) → a string column holding the value's JSON text.
 * Every column is nullable: {@code required} is enforced by validating each record against the JSON schema, not by
 * the table, as for Avro.
 */
final class JsonSchemaToAvro {

    /** Marks a string column that holds a value's JSON text, whatever its JSON type; read by {@link JsonToAvro}. */
    static final String JSON_TEXT_PROPERTY = "lakehouse.jsonText";

    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final JsonNode root;
    private final Deque<String> referencesFollowed = new ArrayDeque<>();

    private JsonSchemaToAvro(JsonNode root) {
        this.root = root;
    }

    /**
     * The record schema of {@code jsonSchema}'s values.
     *
     * @param recordName the Avro name of the top-level record
     * @throws IllegalArgumentException if the schema does not describe objects, or a property name cannot be a
     *     column name; the message names the property
     */
    static Schema recordSchema(JsonNode jsonSchema, String recordName) {
        JsonSchemaToAvro converter = new JsonSchemaToAvro(jsonSchema);
        JsonNode resolved = converter.resolve(jsonSchema);
        if (!resolved.path("properties").isObject()) {
            throw new IllegalArgumentException("the JSON schema does not describe objects with properties (its type "
                    + "is " + resolved.path("type") + "); a table row needs an object");
        }
        return converter.record(resolved, recordName, "");
    }

    private Schema record(JsonNode schema, String name, String path) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            String fieldPath = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
            if (!AVRO_NAME.matcher(property.getKey()).matches()) {
                throw new IllegalArgumentException("property '" + fieldPath + "' cannot be a column name: use "
                        + "letters, digits and underscores, not starting with a digit");
            }
            Schema type = type(property.getValue(), name + "_" + property.getKey(), fieldPath);
            fields.add(new Schema.Field(property.getKey(), Schema.createUnion(Schema.create(Schema.Type.NULL), type),
                    property.getValue().path("description").asText(null), JsonProperties.NULL_VALUE));
        }
        return Schema.createRecord(name, schema.path("description").asText(null), null, false, fields);
    }

    private Schema type(JsonNode schema, String name, String path) {
        if (schema.has("$ref")) {
            String reference = schema.get("$ref").asText();
            if (referencesFollowed.contains(reference)) {
                return jsonText(); // a recursive structure has no fixed columns
            }
            referencesFollowed.push(reference);
            try {
                return type(resolve(schema), name, path);
            } finally {
                referencesFollowed.pop();
            }
        }
        Set<String> types = types(schema);
        if (types.size() != 1) {
            return jsonText();
        }
        String type = types.iterator().next();
        JsonNode branch = single(schema);
        return switch (type) {
            case "object" -> {
                if (branch.path("properties").isObject() && !branch.path("properties").isEmpty()) {
                    yield record(branch, name, path);
                }
                JsonNode values = branch.path("additionalProperties");
                yield values.isObject() && !values.isEmpty()
                        ? Schema.createMap(nullable(type(values, name + "_value", path + "{}"))) : jsonText();
            }
            case "array" -> branch.path("items").isObject()
                    ? Schema.createArray(nullable(type(branch.get("items"), name + "_item", path + "[]")))
                    : Schema.createArray(nullable(jsonText()));
            case "string" -> switch (branch.path("format").asText("")) {
                case "date-time" -> LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
                case "date" -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
                default -> Schema.create(Schema.Type.STRING);
            };
            case "integer" -> Schema.create(Schema.Type.LONG);
            case "number" -> Schema.create(Schema.Type.DOUBLE);
            case "boolean" -> Schema.create(Schema.Type.BOOLEAN);
            default -> jsonText();
        };
    }

    /** The non-null types {@code schema} allows: from {@code type}, {@code enum} or single-type unions. */
    private Set<String> types(JsonNode schema) {
        Set<String> types = new LinkedHashSet<>();
        JsonNode type = schema.path("type");
        if (type.isTextual()) {
            types.add(type.asText());
        } else if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else if (schema.path("enum").isArray()) {
            schema.get("enum").forEach(v -> types.add(v.isTextual() ? "string" : v.isNull() ? "null"
                    : v.isIntegralNumber() ? "integer" : v.isNumber() ? "number" : v.isBoolean() ? "boolean"
                    : "other"));
        } else {
            JsonNode union = schema.has("oneOf") ? schema.get("oneOf") : schema.path("anyOf");
            union.forEach(b -> types.addAll(b.has("$ref") ? Set.of("ref") : types(b)));
            if (types.contains("ref") && types.size() - (types.contains("null") ? 1 : 0) == 1) {
                types.clear();
                types.add("object");
            }
        }
        types.remove("null");
        return types;
    }

    /** For a single-type union, its branch of that type; otherwise the schema itself. */
    private JsonNode single(JsonNode schema) {
        JsonNode union = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
        if (union == null || schema.has("type")) {
            return schema;
        }
        for (JsonNode branch : union) {
            JsonNode resolved = resolve(branch);
            if (!types(resolved).isEmpty()) {
                return resolved;
            }
        }
        return schema;
    }

    /** Follows a local {@code $ref} ({@code #/definitions/X}, {@code #/$defs/X}); other schemas as they are. */
    private JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int hops = 0; current.has("$ref") && hops < 32; hops++) {
            String reference = current.get("$ref").asText();
            if (!reference.startsWith("#")) {
                throw new IllegalArgumentException("the JSON schema refers to '" + reference + "', outside itself; "
                        + "only references within the schema (#/definitions/..., #/$defs/...) are followed");
            }
            JsonNode target = root.at(reference.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalArgumentException("the JSON schema refers to '" + reference + "', which it does "
                        + "not define");
            }
            current = target;
        }
        return current;
    }

    private static Schema nullable(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }

    private static Schema jsonText() {
        Schema text = Schema.create(Schema.Type.STRING);
        text.addProp(JSON_TEXT_PROPERTY, true);
        return text;
    }
}
