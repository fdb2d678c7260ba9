package dev.lakehouse.registry.serde;

import dev.lakehouse.registry.client.CompatibilityLevel;
import dev.lakehouse.registry.client.CompatibilityResult;
import dev.lakehouse.registry.client.RegisteredSchema;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry test double for unit tests of the serde: ids by schema, no compatibility rules, and counters of
 * calls so caching can be checked. Unknown ids raise the same exception type as the real client, obtained from
 * a real REST answer shape through the package's own error mapping (see {@link #unknownId}).
 */
final class InMemoryRegistryClient implements SchemaRegistryClient {

    final Map<Integer, Schema> byId = new HashMap<>();
    final Map<String, List<Integer>> bySubject = new HashMap<>();
    final AtomicInteger schemaByIdCalls = new AtomicInteger();
    private final java.util.function.IntFunction<RuntimeException> unknownId;

    InMemoryRegistryClient(java.util.function.IntFunction<RuntimeException> unknownId) {
        this.unknownId = unknownId;
    }

    @Override
    public Schema schemaById(int id) {
        schemaByIdCalls.incrementAndGet();
        Schema schema = byId.get(id);
        if (schema == null) {
            throw unknownId.apply(id);
        }
        return schema;
    }

    @Override
    public int register(String subject, Schema schema) {
        for (Map.Entry<Integer, Schema> e : byId.entrySet()) {
            if (e.getValue().equals(schema)) {
                bySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(e.getKey());
                return e.getKey();
            }
        }
        int id = byId.size() + 1;
        byId.put(id, schema);
        bySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    @Override
    public dev.lakehouse.registry.client.TypedSchema typedSchemaById(int id) {
        return new dev.lakehouse.registry.client.TypedSchema("AVRO", schemaById(id).toString());
    }

    @Override
    public dev.lakehouse.registry.client.TypedSchema typedVersion(String subject, int version) {
        throw new UnsupportedOperationException("Avro only");
    }

    @Override
    public int register(String subject, dev.lakehouse.registry.client.TypedSchema schema) {
        throw new UnsupportedOperationException("Avro only");
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RegisteredSchema latestVersion(String subject) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> subjects() {
        return new ArrayList<>(bySubject.keySet());
    }

    @Override
    public List<Integer> versions(String subject) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return CompatibilityLevel.NONE;
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        return CompatibilityLevel.NONE;
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setGlobalCompatibility(CompatibilityLevel level) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}
