package dev.lakehouse.ingest.decode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import java.io.IOException;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * A value schema's table form, exactly as the pipeline's decoder derives it from a record's writer schema: for a
 * schema a producer has not shipped yet ({@code lakehouse schema check}).
 */
public final class WriterSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WriterSchemas() {
    }

    /**
     * An Avro schema's text, as the Avro decoder and JSON pipelines' {@code value-schema-file} use it.
     *
     * @throws IllegalArgumentException if it does not parse or is not a record
     */
    public static Schema avro(String text) {
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an Avro schema: " + e.getMessage(), e);
        }
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("the Avro schema is a " + schema.getType() + ", not a record");
        }
        return schema;
    }

    /**
     * A JSON Schema document, as the JSON Schema decoder maps it.
     *
     * @throws IllegalArgumentException if it is not JSON, or describes no object with properties, or a property
     *         name cannot be a column name
     */
    public static Schema jsonSchema(String text) {
        try {
            return JsonSchemaToAvro.recordSchema(JSON.readTree(text), "Value");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON Schema document: " + e.getMessage(), e);
        }
    }

    /**
     * A message of a {@code .proto} file, as the Protobuf decoder maps it.
     *
     * @param imports the descriptors of the files it imports by name (well-known types need none); null for none
     * @param message the message's full or simple name; null for the file's first message (message index 0, what
     *                Confluent's serializer writes by default)
     * @throws IllegalArgumentException if the file does not parse, an import is missing, or the message is not there
     */
    public static Schema protobuf(String name, String text, Function<String, FileDescriptor> imports, String message) {
        FileDescriptor file = ProtobufSchemas.descriptor(name, text, imports == null ? n -> null : imports);
        if (file.getMessageTypes().isEmpty()) {
            throw new IllegalArgumentException(name + " declares no message");
        }
        Descriptor chosen = file.getMessageTypes().get(0);
        if (message != null) {
            chosen = file.getMessageTypes().stream()
                    .filter(m -> m.getFullName().equals(message) || m.getName().equals(message)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(name + " has no message '" + message + "' (it has "
                            + file.getMessageTypes().stream().map(Descriptor::getName).toList() + ")"));
        }
        return ProtobufToAvro.recordSchema(chosen);
    }
}
