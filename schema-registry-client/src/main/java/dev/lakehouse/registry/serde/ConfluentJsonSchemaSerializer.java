package dev.lakehouse.registry.serde;

import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Frames JSON values in Confluent's JSON Schema wire format ({@code 0x00}, the 4-byte id of the value's JSON
 * schema, the JSON text), registering the schema under the subject on first use, as Confluent's
 * {@code KafkaJsonSchemaSerializer} does. It does not validate the value: producers that may send invalid values
 * are what the appliance's dead letters are for. Thread-safe.
 */
public final class ConfluentJsonSchemaSerializer {

    private record SubjectSchema(String subject, String schema) {
    }

    private final SchemaRegistryClient registry;
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();

    public ConfluentJsonSchemaSerializer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * The framed value.
     *
     * @param subject the subject of the schema, such as {@code orders-value}
     * @param jsonSchema the JSON schema document the value follows
     * @param json the value's JSON text
     * @throws dev.lakehouse.registry.client.SchemaRegistryException if the schema cannot be registered
     */
    public byte[] serialize(String subject, String jsonSchema, String json) {
        int id = ids.computeIfAbsent(new SubjectSchema(subject, jsonSchema),
                key -> registry.register(subject, new TypedSchema(TypedSchema.JSON, jsonSchema)));
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[ConfluentWireFormat.HEADER_SIZE + body.length];
        ConfluentWireFormat.writeHeader(framed, id);
        System.arraycopy(body, 0, framed, ConfluentWireFormat.HEADER_SIZE, body.length);
        return framed;
    }
}
