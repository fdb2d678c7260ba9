package dev.lakehouse.registry.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The registry's state and rules: ids, subjects, versions, soft deletes and compatibility configuration.
 *
 * <p>Rules follow Confluent's: one id per distinct schema across all subjects; registering a schema the subject
 * already has returns its id without a new version and without a compatibility check; version numbers are never
 * reused, even after a delete; a soft-deleted version is hidden unless asked for and is the only kind that may
 * be deleted permanently.
 *
 * <p>All methods are synchronized: the registry is small and writes are rare, so one lock keeps every
 * operation atomic. When a store file is given, every change is written to it (atomically, by rename) before
 * the change is acknowledged.
 */
final class SchemaStore {

    /** One version of a subject. */
    record SubjectVersion(String subject, int version, int id, String schema, SchemaType type,
                          List<Reference> references, boolean deleted) {
    }

    /** A schema another refers to: a subject's version, under the name the referring schema uses. */
    record Reference(String name, String subject, int version) {
    }

    /** A schema as registered: its language, canonical text and references. */
    record StoredSchema(SchemaType type, String text, List<Reference> references) {
        StoredSchema(SchemaType type, String text) {
            this(type, text, List.of());
        }

        /** The key under which equal schemas share one id. */
        String key() {
            return (type == SchemaType.AVRO ? text : type + ":" + text)
                    + (references.isEmpty() ? "" : references.toString());
        }
    }

    /** One version of a subject: its number, its schema id, whether it is soft-deleted. */
    record VersionEntry(int version, int id, boolean deleted) {
        VersionEntry markDeleted() {
            return new VersionEntry(version, id, true);
        }
    }


    private final Map<Integer, StoredSchema> schemaById = new HashMap<>();
    private final Map<String, Integer> idByCanonicalSchema = new HashMap<>();
    private final Map<String, List<VersionEntry>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityPolicy> subjectLevels = new HashMap<>();
    private final Path storeFile;
    private CompatibilityPolicy globalLevel;
    private int lastId;

    SchemaStore(CompatibilityPolicy defaultLevel, Path storeFile) {
        this.globalLevel = defaultLevel;
        this.storeFile = storeFile;
        if (storeFile != null && Files.exists(storeFile)) {
            load(storeFile);
        }
    }

    /** Parses and canonicalizes a schema; an unparsable one is a 42201. */
    static Schema parse(String text) {
        if (text == null || text.isBlank()) {
            throw RegistryError.invalidSchema("the request has no schema");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw RegistryError.invalidSchema(e.getMessage());
        } catch (RuntimeException e) {
            // Avro also throws other unchecked types for malformed JSON or bad defaults; all mean "invalid schema".
            throw RegistryError.invalidSchema(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    synchronized int register(String subject, SchemaType type, String schemaText, List<Reference> references) {
        StoredSchema candidate = stored(type, schemaText, references);
        String canonical = candidate.key();
        List<VersionEntry> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer existingId = idByCanonicalSchema.get(canonical);
        if (existingId != null) {
            for (VersionEntry v : versions) {
                if (!v.deleted() && v.id() == existingId) {
                    return existingId;
                }
            }
        }
        List<String> problems = check(effectiveLevel(subject), candidate, liveSchemas(versions));
        if (!problems.isEmpty()) {
            if (versions.isEmpty()) {
                subjects.remove(subject);
            }
            throw RegistryError.incompatible(subject, problems);
        }
        int id = existingId != null ? existingId : ++lastId;
        schemaById.put(id, candidate);
        idByCanonicalSchema.put(canonical, id);
        int nextVersion = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        versions.add(new VersionEntry(nextVersion, id, false));
        persist();
        return id;
    }

    synchronized SubjectVersion lookup(String subject, SchemaType type, String schemaText, List<Reference> references,
                                       boolean includeDeleted) {
        List<VersionEntry> versions = existingSubject(subject, includeDeleted);
        String canonical = stored(type, schemaText, references).key();
        Integer id = idByCanonicalSchema.get(canonical);
        if (id != null) {
            for (VersionEntry v : versions) {
                if (v.id() == id && (includeDeleted || !v.deleted())) {
                    return toSubjectVersion(subject, v);
                }
            }
        }
        throw RegistryError.schemaNotFound("under subject '" + subject + "'");
    }

    synchronized StoredSchema schemaById(int id) {
        StoredSchema schema = schemaById.get(id);
        if (schema == null) {
            throw RegistryError.schemaNotFound(Integer.toString(id));
        }
        return schema;
    }

    synchronized List<SubjectVersion> versionsUsingId(int id) {
        schemaById(id);
        List<SubjectVersion> result = new ArrayList<>();
        subjects.forEach((subject, versions) -> versions.stream()
                .filter(v -> v.id() == id && !v.deleted())
                .forEach(v -> result.add(toSubjectVersion(subject, v))));
        return result;
    }

    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> result = new ArrayList<>();
        subjects.forEach((subject, versions) -> {
            if (versions.stream().anyMatch(v -> includeDeleted || !v.deleted())) {
                result.add(subject);
            }
        });
        return result;
    }

    synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        return existingSubject(subject, includeDeleted).stream()
                .filter(v -> includeDeleted || !v.deleted())
                .map(VersionEntry::version)
                .toList();
    }

    /**
     * @param versionSpec {@code latest}, {@code -1} or a version number
     */
    synchronized SubjectVersion version(String subject, String versionSpec, boolean includeDeleted) {
        List<VersionEntry> versions = existingSubject(subject, includeDeleted);
        int wanted = parseVersion(versionSpec);
        return toSubjectVersion(subject, find(versions, wanted, includeDeleted));
    }

    /** Soft (or, for an already soft-deleted subject, permanent) delete; returns the versions deleted. */
    synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        List<VersionEntry> versions = existingSubject(subject, true);
        List<Integer> deleted = new ArrayList<>();
        if (permanent) {
            if (versions.stream().anyMatch(v -> !v.deleted())) {
                throw RegistryError.badRequest("Subject '" + subject + "' was not deleted first before being "
                        + "permanently deleted");
            }
            versions.forEach(v -> deleted.add(v.version()));
            subjects.remove(subject);
            subjectLevels.remove(subject);
        } else {
            if (versions.stream().allMatch(VersionEntry::deleted)) {
                throw RegistryError.subjectNotFound(subject);
            }
            for (int i = 0; i < versions.size(); i++) {
                if (!versions.get(i).deleted()) {
                    deleted.add(versions.get(i).version());
                    versions.set(i, versions.get(i).markDeleted());
                }
            }
        }
        persist();
        return deleted;
    }

    synchronized int deleteVersion(String subject, String versionSpec, boolean permanent) {
        List<VersionEntry> versions = existingSubject(subject, permanent);
        int wanted = parseVersion(versionSpec);
        VersionEntry entry = find(versions, wanted, permanent);
        if (permanent) {
            if (!entry.deleted()) {
                throw RegistryError.badRequest("Version " + entry.version() + " of subject '" + subject
                        + "' was not deleted first before being permanently deleted");
            }
            versions.remove(entry);
            if (versions.isEmpty()) {
                subjects.remove(subject);
            }
        } else {
            if (entry.deleted()) {
                throw RegistryError.versionNotFound(entry.version());
            }
            versions.set(versions.indexOf(entry), entry.markDeleted());
        }
        persist();
        return entry.version();
    }

    /**
     * Checks a schema against one version ({@code versionSpec} non-null) or against what the subject's level
     * requires ({@code versionSpec} null). A missing subject is compatible with anything when no version is named.
     */
    synchronized List<String> testCompatibility(String subject, String versionSpec, SchemaType type,
                                                String schemaText, List<Reference> references) {
        StoredSchema candidate = stored(type, schemaText, references);
        List<VersionEntry> versions = subjects.getOrDefault(subject, List.of());
        CompatibilityPolicy level = effectiveLevel(subject);
        if (versionSpec == null) {
            return check(level, candidate, liveSchemas(versions));
        }
        int wanted = parseVersion(versionSpec);
        if (versions.stream().allMatch(VersionEntry::deleted)) {
            if (wanted == -1) {
                return List.of();
            }
            throw RegistryError.subjectNotFound(subject);
        }
        VersionEntry entry = find(versions, wanted, false);
        return check(level, candidate, List.of(schemaById.get(entry.id())));
    }

    /** The level's check in the candidate's language; a subject's versions all share one language. */
    private static List<String> check(CompatibilityPolicy level, StoredSchema candidate, List<StoredSchema> earlier) {
        if (level == CompatibilityPolicy.NONE || earlier.isEmpty()) {
            return List.of();
        }
        for (StoredSchema previous : earlier) {
            if (previous.type() != candidate.type()) {
                return List.of("{errorType:'SCHEMA_TYPE_CHANGED', description:'the subject holds " + previous.type()
                        + " schemas and the new schema is " + candidate.type() + "'}");
            }
        }
        return switch (candidate.type()) {
            case AVRO -> level.check(parse(candidate.text()), earlier.stream().map(s -> parse(s.text())).toList());
            case JSON -> level.checkWith(SchemaType.jsonSchema(candidate.text()),
                    earlier.stream().map(s -> SchemaType.jsonSchema(s.text())).toList(),
                    JsonSchemaCompatibility::problems);
            case PROTOBUF -> level.checkWith(SchemaType.protobuf(candidate.text()),
                    earlier.stream().map(s -> SchemaType.protobuf(s.text())).toList(),
                    ProtobufCompatibility::problems);
        };
    }

    /** A candidate schema in canonical form, its references checked to name live versions. */
    private StoredSchema stored(SchemaType type, String text, List<Reference> references) {
        for (Reference reference : references) {
            List<VersionEntry> versions = subjects.get(reference.subject());
            boolean live = versions != null && versions.stream()
                    .anyMatch(v -> v.version() == reference.version() && !v.deleted());
            if (!live) {
                throw RegistryError.invalidSchema("the reference '" + reference.name() + "' names version "
                        + reference.version() + " of subject '" + reference.subject() + "', which does not exist; "
                        + "register it first");
            }
        }
        return new StoredSchema(type, type.canonical(text), List.copyOf(references));
    }

    synchronized CompatibilityPolicy globalLevel() {
        return globalLevel;
    }

    synchronized void setGlobalLevel(CompatibilityPolicy level) {
        globalLevel = level;
        persist();
    }

    synchronized Optional<CompatibilityPolicy> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized void setSubjectLevel(String subject, CompatibilityPolicy level) {
        subjectLevels.put(subject, level);
        persist();
    }

    synchronized CompatibilityPolicy deleteSubjectLevel(String subject) {
        CompatibilityPolicy previous = subjectLevels.remove(subject);
        if (previous == null) {
            throw RegistryError.subjectCompatibilityNotConfigured(subject);
        }
        persist();
        return previous;
    }

    private CompatibilityPolicy effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private List<StoredSchema> liveSchemas(List<VersionEntry> versions) {
        List<StoredSchema> result = new ArrayList<>();
        for (VersionEntry v : versions) {
            if (!v.deleted()) {
                result.add(schemaById.get(v.id()));
            }
        }
        return result;
    }

    private List<VersionEntry> existingSubject(String subject, boolean includeDeleted) {
        List<VersionEntry> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()
                || (!includeDeleted && versions.stream().allMatch(VersionEntry::deleted))) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    private static VersionEntry find(List<VersionEntry> versions, int wanted, boolean includeDeleted) {
        if (wanted == -1) {
            for (int i = versions.size() - 1; i >= 0; i--) {
                if (includeDeleted || !versions.get(i).deleted()) {
                    return versions.get(i);
                }
            }
            throw RegistryError.versionNotFound(-1);
        }
        for (VersionEntry v : versions) {
            if (v.version() == wanted && (includeDeleted || !v.deleted())) {
                return v;
            }
        }
        throw RegistryError.versionNotFound(wanted);
    }

    /** {@code latest} and {@code -1} mean the latest version (returned as -1); otherwise 1..2^31-1. */
    static int parseVersion(String spec) {
        if ("latest".equalsIgnoreCase(spec)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(spec);
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // Falls through to the 42202 below.
        }
        throw RegistryError.invalidVersion(spec);
    }

    private SubjectVersion toSubjectVersion(String subject, VersionEntry v) {
        StoredSchema schema = schemaById.get(v.id());
        return new SubjectVersion(subject, v.version(), v.id(), schema.text(), schema.type(), schema.references(),
                v.deleted());
    }

    private void persist() {
        if (storeFile != null) {
            SchemaStoreFile.write(storeFile, new SchemaStoreFile.Contents(lastId, globalLevel, schemaById, subjects,
                    subjectLevels));
        }
    }

    private void load(Path file) {
        SchemaStoreFile.Contents contents = SchemaStoreFile.read(file, globalLevel);
        lastId = contents.lastId();
        globalLevel = contents.globalLevel();
        contents.schemas().forEach((id, schema) -> {
            schemaById.put(id, schema);
            idByCanonicalSchema.put(schema.key(), id);
        });
        subjects.putAll(contents.subjects());
        subjectLevels.putAll(contents.subjectLevels());
    }
}
