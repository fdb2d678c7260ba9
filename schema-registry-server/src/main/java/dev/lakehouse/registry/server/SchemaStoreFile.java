package dev.lakehouse.registry.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.registry.server.SchemaStore.Reference;
import dev.lakehouse.registry.server.SchemaStore.StoredSchema;
import dev.lakehouse.registry.server.SchemaStore.VersionEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry's store file: a JSON document of the schemas by id, the subjects' versions and the compatibility
 * levels. Written whole to a temporary file and moved over the old one atomically, so a crash leaves the old or the
 * new store, never a torn one. Avro schemas without references are plain strings, as files written before other
 * schema types were served hold them.
 */
final class SchemaStoreFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the file holds. */
    record Contents(int lastId, CompatibilityPolicy globalLevel, Map<Integer, StoredSchema> schemas,
                    Map<String, List<VersionEntry>> subjects, Map<String, CompatibilityPolicy> subjectLevels) {
    }

    private SchemaStoreFile() {
    }

    /**
     * @throws RegistryError a store error when the file cannot be written
     */
    static void write(Path storeFile, Contents contents) {
        ObjectNode root = JSON.createObjectNode();
        root.put("lastId", contents.lastId());
        root.put("globalLevel", contents.globalLevel().name());
        ObjectNode schemas = root.putObject("schemas");
        contents.schemas().forEach((id, schema) -> {
            if (schema.type() == SchemaType.AVRO && schema.references().isEmpty()) {
                schemas.put(Integer.toString(id), schema.text());
            } else {
                ObjectNode node = schemas.putObject(Integer.toString(id)).put("schemaType", schema.type().name())
                        .put("schema", schema.text());
                ArrayNode references = node.putArray("references");
                schema.references().forEach(r -> references.addObject().put("name", r.name())
                        .put("subject", r.subject()).put("version", r.version()));
            }
        });
        ObjectNode subjectsNode = root.putObject("subjects");
        contents.subjects().forEach((subject, versions) -> {
            ArrayNode array = subjectsNode.putArray(subject);
            versions.forEach(v -> array.addObject().put("version", v.version()).put("id", v.id())
                    .put("deleted", v.deleted()));
        });
        ObjectNode levels = root.putObject("subjectLevels");
        contents.subjectLevels().forEach((subject, level) -> levels.put(subject, level.name()));
        try {
            Path tmp = storeFile.resolveSibling(storeFile.getFileName() + ".tmp");
            if (tmp.getParent() != null) {
                Files.createDirectories(tmp.getParent());
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, storeFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw RegistryError.storeError("cannot write " + storeFile + ": " + e.getMessage());
        }
    }

    /**
     * @param defaultLevel the global level when the file has none
     * @throws IllegalStateException naming the file, when it cannot be read or is not a store
     */
    static Contents read(Path file, CompatibilityPolicy defaultLevel) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
            Map<Integer, StoredSchema> schemas = new HashMap<>();
            root.path("schemas").fields().forEachRemaining(e -> {
                List<Reference> references = new ArrayList<>();
                e.getValue().path("references").forEach(r -> references.add(new Reference(r.path("name").asText(),
                        r.path("subject").asText(), r.path("version").asInt())));
                schemas.put(Integer.parseInt(e.getKey()), e.getValue().isTextual()
                        ? new StoredSchema(SchemaType.AVRO, e.getValue().asText())
                        : new StoredSchema(SchemaType.valueOf(e.getValue().path("schemaType").asText()),
                                e.getValue().path("schema").asText(), List.copyOf(references)));
            });
            Map<String, List<VersionEntry>> subjects = new LinkedHashMap<>();
            root.path("subjects").fields().forEachRemaining(e -> {
                List<VersionEntry> versions = new ArrayList<>();
                e.getValue().forEach(v -> versions.add(new VersionEntry(v.path("version").asInt(),
                        v.path("id").asInt(), v.path("deleted").asBoolean())));
                subjects.put(e.getKey(), versions);
            });
            Map<String, CompatibilityPolicy> subjectLevels = new HashMap<>();
            root.path("subjectLevels").fields().forEachRemaining(e ->
                    subjectLevels.put(e.getKey(), CompatibilityPolicy.valueOf(e.getValue().asText())));
            return new Contents(root.path("lastId").asInt(),
                    CompatibilityPolicy.valueOf(root.path("globalLevel").asText(defaultLevel.name())), schemas,
                    subjects, subjectLevels);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the registry store " + file + ": " + e.getMessage()
                    + ". Fix or delete the file to start with an empty registry.", e);
        }
    }
}
