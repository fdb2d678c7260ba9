package dev.lakehouse.registry.client;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A client of a Confluent-compatible Schema Registry: Avro schemas parsed, schemas of the other languages (JSON
 * Schema, Protobuf) as {@link TypedSchema} text.
 *
 * <p>Obtain one with {@link #connect(RegistryClientConfig)}: it caches schemas by id for good (ids are
 * immutable) and subject lookups in a bounded cache, and retries transient failures with backoff.
 * Implementations are thread-safe.
 *
 * <p>Failures: every method throws a subclass of {@link SchemaRegistryException}. Besides the ones listed per
 * method, any call may throw {@link RegistryUnavailableException} (transient: unreachable, timed out or 5xx after
 * the configured retries), {@link RegistryAuthenticationException} (401/403), {@link RegistryTlsException} and
 * {@link RegistryRequestException} (any other refusal).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** A caching, retrying client for the registry in {@code config}. */
    static SchemaRegistryClient connect(RegistryClientConfig config) {
        return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(config), config.subjectCacheCapacity());
    }

    /**
     * The schema with this registry-wide id (the id carried by the wire format).
     *
     * @throws SchemaNotFoundException if no schema has this id (40403)
     * @throws InvalidSchemaException if the schema with this id is not an Avro schema (the message names its type)
     */
    Schema schemaById(int id);

    /**
     * Registers the schema under the subject, or returns its id if the subject already has it.
     *
     * @return the registry-wide schema id
     * @throws IncompatibleSchemaException if it breaks the subject's compatibility level (409)
     * @throws InvalidSchemaException if the registry cannot parse it (42201)
     */
    int register(String subject, Schema schema);

    /**
     * The schema with this id in whatever language it is (Avro, JSON Schema, Protobuf), cached for good like
     * {@link #schemaById}.
     *
     * @throws SchemaNotFoundException if no schema has this id (40403)
     */
    TypedSchema typedSchemaById(int id);

    /**
     * Registers a schema of any language the registry serves under the subject, or returns its id if the subject
     * already has it.
     *
     * @return the registry-wide schema id
     * @throws IncompatibleSchemaException if it breaks the subject's compatibility level (409)
     * @throws InvalidSchemaException if the registry cannot parse it or does not serve its type (42201)
     */
    int register(String subject, TypedSchema schema);

    /**
     * A version of a subject in whatever language it is, as schema references name it; cached for good (version
     * numbers are never reused).
     *
     * @throws SubjectNotFoundException if the subject does not exist (40401)
     * @throws VersionNotFoundException if the version does not exist (40402)
     */
    TypedSchema typedVersion(String subject, int version);

    /**
     * The version of the subject holding exactly this schema.
     *
     * @throws SubjectNotFoundException if the subject does not exist (40401)
     * @throws SchemaNotFoundException if the subject does not have this schema (40403)
     */
    RegisteredSchema lookup(String subject, Schema schema);

    /**
     * The latest version of the subject.
     *
     * @throws SubjectNotFoundException if the subject does not exist (40401)
     */
    RegisteredSchema latestVersion(String subject);

    /**
     * One version of the subject.
     *
     * @throws SubjectNotFoundException if the subject does not exist (40401)
     * @throws VersionNotFoundException if it has no such version (40402)
     */
    RegisteredSchema version(String subject, int version);

    /** Every subject with at least one live version. */
    List<String> subjects();

    /**
     * The live version numbers of the subject, ascending.
     *
     * @throws SubjectNotFoundException if the subject does not exist (40401)
     */
    List<Integer> versions(String subject);

    /**
     * Whether the registry would accept the schema under the subject's compatibility level, with its reasons.
     * A subject that does not exist yet accepts anything.
     */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    /** The registry-wide compatibility level. */
    CompatibilityLevel globalCompatibility();

    /** The level in force for the subject: its own if set, else the global one. */
    CompatibilityLevel compatibility(String subject);

    /**
     * Sets the subject's own compatibility level.
     *
     * @throws InvalidCompatibilityLevelException if the registry refuses the level (42203)
     */
    void setCompatibility(String subject, CompatibilityLevel level);

    /** Sets the registry-wide compatibility level. */
    void setGlobalCompatibility(CompatibilityLevel level);

    /** Releases the HTTP client's resources. Idempotent. */
    @Override
    void close();
}
