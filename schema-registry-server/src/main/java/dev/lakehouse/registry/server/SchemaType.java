package dev.lakehouse.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;

/** The schema languages the registry serves, as Confluent names them in {@code schemaType}. */
enum SchemaType {
    AVRO,
    JSON,
    PROTOBUF;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The type named in a request; absent means AVRO, as in Confluent's API. */
    static SchemaType named(String name) {
        if (name == null || name.isBlank()) {
            return AVRO;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryError.invalidSchema("schema type " + name + " is not supported: this registry serves "
                    + java.util.Arrays.toString(values()));
        }
    }

    /**
     * The schema's canonical text, by which equal schemas share one id: Avro's parsed form, for JSON Schema the
     * document without insignificant whitespace, for Protobuf the parsed file printed again (comments and layout
     * dropped).
     *
     * @throws RegistryError (42201) if the text is not a schema of this type
     */
    String canonical(String text) {
        return switch (this) {
            case AVRO -> SchemaStore.parse(text).toString();
            case JSON -> jsonSchema(text).toString();
            case PROTOBUF -> protobuf(text).toSchema();
        };
    }

    /**
     * Parses a {@code .proto} file with Wire's parser (as Confluent's server does); a schema sent as base64 of a
     * serialized {@code FileDescriptorProto} (Confluent's JavaScript and Go serializers send them so) is first
     * written out as {@code .proto} text ({@link ProtobufDescriptorText}), which is what is stored and served.
     */
    static com.squareup.wire.schema.internal.parser.ProtoFileElement protobuf(String text) {
        if (text == null || text.isBlank()) {
            throw RegistryError.invalidSchema("the request has no schema");
        }
        try {
            return parseProto(text);
        } catch (RuntimeException e) {
            com.google.protobuf.DescriptorProtos.FileDescriptorProto descriptor = ProtobufDescriptorText.decode(text);
            if (descriptor == null) {
                throw RegistryError.invalidSchema("the Protobuf schema does not parse: " + e.getMessage());
            }
            String rendered = ProtobufDescriptorText.render(descriptor);
            try {
                return parseProto(rendered);
            } catch (RuntimeException renderedFailure) {
                throw RegistryError.invalidSchema("the Protobuf descriptor " + descriptor.getName() + " cannot be "
                        + "stored as .proto text: " + renderedFailure.getMessage());
            }
        }
    }

    private static com.squareup.wire.schema.internal.parser.ProtoFileElement parseProto(String text) {
        return com.squareup.wire.schema.internal.parser.ProtoParser.Companion.parse(
                com.squareup.wire.schema.Location.get("schema.proto"), text);
    }

    /** Parses a JSON Schema document (an object, or {@code true}/{@code false}). */
    static JsonNode jsonSchema(String text) {
        if (text == null || text.isBlank()) {
            throw RegistryError.invalidSchema("the request has no schema");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw RegistryError.invalidSchema("the JSON schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !(node.isObject() || node.isBoolean())) {
            throw RegistryError.invalidSchema("a JSON schema must be a JSON object or a boolean");
        }
        JsonNode type = node.path("type");
        if (!type.isMissingNode() && !type.isTextual() && !type.isArray()) {
            throw RegistryError.invalidSchema("the JSON schema's \"type\" must be a string or an array of strings");
        }
        return node;
    }
}
