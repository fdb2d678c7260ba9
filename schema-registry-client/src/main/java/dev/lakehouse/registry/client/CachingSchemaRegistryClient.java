package dev.lakehouse.registry.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Caches what never changes: schemas by id (ids are immutable, so forever and unbounded: a registry holds
 * thousands of schemas at most), and the answers of {@link #register} and {@link #lookup} per (subject, schema)
 * in a bounded LRU map. Everything that can change (latest version, version lists, subjects, configuration) goes
 * to the registry every time. Failures are not cached.
 */
final class CachingSchemaRegistryClient implements SchemaRegistryClient {

    private record SubjectSchema(String subject, Schema schema) {
    }

    private record SubjectVersion(String subject, int version) {
    }

    private final SchemaRegistryClient delegate;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<Integer, TypedSchema> typedSchemasById = new ConcurrentHashMap<>();
    private final Map<SubjectVersion, TypedSchema> typedVersions = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema;
    private final Map<SubjectSchema, RegisteredSchema> versionsBySubjectSchema;

    CachingSchemaRegistryClient(SchemaRegistryClient delegate, int subjectCacheCapacity) {
        this.delegate = delegate;
        this.idsBySubjectSchema = lru(subjectCacheCapacity);
        this.versionsBySubjectSchema = lru(subjectCacheCapacity);
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        });
    }

    @Override
    public Schema schemaById(int id) {
        return cachedForever(schemasById, id, delegate::schemaById);
    }

    /**
     * The value cached for a key that names something immutable (an id, a subject's version), fetched on the first
     * call; one instance per key.
     */
    private static <K, V> V cachedForever(Map<K, V> cache, K key, java.util.function.Function<K, V> fetch) {
        V cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        // Not computeIfAbsent: that would hold a map lock during an HTTP call and block unrelated keys.
        V fetched = fetch.apply(key);
        V raced = cache.putIfAbsent(key, fetched);
        return raced != null ? raced : fetched;
    }

    @Override
    public TypedSchema typedSchemaById(int id) {
        return cachedForever(typedSchemasById, id, delegate::typedSchemaById);
    }

    @Override
    public TypedSchema typedVersion(String subject, int version) {
        return cachedForever(typedVersions, new SubjectVersion(subject, version),
                key -> delegate.typedVersion(key.subject(), key.version()));
    }

    @Override
    public int register(String subject, TypedSchema schema) {
        // Rare (producers and tests register; the appliance reads): not cached.
        return delegate.register(subject, schema);
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        int id = delegate.register(subject, schema);
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema cached = versionsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema found = delegate.lookup(subject, schema);
        versionsBySubjectSchema.put(key, found);
        idsBySubjectSchema.put(key, found.id());
        schemasById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    @Override
    public RegisteredSchema latestVersion(String subject) {
        RegisteredSchema latest = delegate.latestVersion(subject);
        schemasById.putIfAbsent(latest.id(), latest.schema());
        return latest;
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        RegisteredSchema found = delegate.version(subject, version);
        schemasById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    @Override
    public List<String> subjects() {
        return delegate.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        return delegate.versions(subject);
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        return delegate.testCompatibility(subject, schema);
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return delegate.globalCompatibility();
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        return delegate.compatibility(subject);
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        delegate.setCompatibility(subject, level);
    }

    @Override
    public void setGlobalCompatibility(CompatibilityLevel level) {
        delegate.setGlobalCompatibility(level);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
