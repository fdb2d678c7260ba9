package dev.lakehouse.app;

import com.google.protobuf.Descriptors.FileDescriptor;
import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.config.PartitionByParser;
import dev.lakehouse.ingest.SchemaPreview;
import dev.lakehouse.ingest.decode.WriterSchemas;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse schema check}: what a pipeline's table would become if a producer shipped a schema, before it
 * ships: columns created or added with their types, or why it would be refused and what would then happen to its
 * records (dead letters, or a failed pipeline). Exit 0 when records of the schema would become rows, 1 when not,
 * 2 for a bad command line or a schema that does not parse. Reads the table's log only and the registry when asked.
 */
@Command(name = "schema", mixinStandardHelpOptions = true, subcommands = SchemaCommand.Check.class,
        description = "Checks a schema against a pipeline's table before a producer ships it.")
final class SchemaCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the schema comes from: a file, or a registry subject's version. */
    static final class Source {
        @Option(names = "--schema-file", required = true, description = "The schema in a file: .avsc (avro and json "
                + "pipelines), .json (json-schema), .proto (protobuf; imports of well-known types only).")
        Path file;

        @Option(names = "--subject", required = true, description = "A registry subject: its --version, or latest.")
        String subject;
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Shows what the pipeline's table would become with a producer's new schema; exit 0 when its "
                    + "records would become rows, 1 when they would be refused.")
    static final class Check implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
        Path config;

        @Option(names = {"-p", "--pipeline"}, required = true, description = "The pipeline (a table per topic: "
                + "<pipeline>.<topic>).")
        String pipeline;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--version", description = "The subject's version (default: its latest).")
        Integer version;

        @Option(names = "--message", description = "Protobuf: the message the values are (default: the file's first).")
        String message;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PipelineConfig config = ConfigLoader.load(this.config).pipeline(pipeline, this.config.toString());
            Schema writer;
            try {
                writer = writerSchema(config);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: the schema cannot be read: " + e.getMessage());
                return 2;
            }
            String deadLetters = config.deadLetters().tableLocation() != null ? config.deadLetters().tableLocation()
                    : config.deadLetters().topic() != null ? "topic " + config.deadLetters().topic() : null;
            SchemaPreview.Result result = SchemaPreview.preview(PipelineParts.settings(config), PipelineParts.table(config),
                    PartitionByParser.parse(config.table().partitionBy()), deadLetters, writer);
            out.printf("pipeline %s, schema %s (%s):%n", config.name(), describeSource(), config.format().name()
                    .toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            result.report().forEach(out::println);
            out.flush();
            return result.accepted() ? 0 : 1;
        }

        private String describeSource() {
            return source.file != null ? source.file.toString()
                    : "subject " + source.subject + (version == null ? " (latest)" : " version " + version);
        }

        private Schema writerSchema(PipelineConfig config) {
            ApplianceConfig.Format format = config.format();
            TypedSchema typed;
            SchemaRegistryClient registry = null;
            if (source.file != null) {
                try {
                    typed = new TypedSchema(typeOf(format), Files.readString(source.file));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + source.file, e);
                }
            } else {
                if (config.registry() == null) {
                    throw new IllegalArgumentException("pipeline " + config.name() + " has no registry: give "
                            + "--schema-file");
                }
                registry = PipelineParts.registry(config.registry());
                int v = version != null ? version : registry.versions(source.subject).stream()
                        .mapToInt(Integer::intValue).max().orElseThrow(() -> new IllegalArgumentException(
                                "subject " + source.subject + " has no versions"));
                typed = registry.typedVersion(source.subject, v);
            }
            try {
                return switch (format) {
                    case AVRO, JSON -> WriterSchemas.avro(typed.text());
                    case JSON_SCHEMA -> WriterSchemas.jsonSchema(typed.text());
                    case PROTOBUF -> WriterSchemas.protobuf(source.file != null ? source.file.getFileName().toString()
                            : source.subject + ".proto", typed.text(), importsOf(typed, registry), message);
                };
            } finally {
                if (registry != null) {
                    registry.close();
                }
            }
        }

        private static String typeOf(ApplianceConfig.Format format) {
            return switch (format) {
                case AVRO, JSON -> TypedSchema.AVRO;
                case JSON_SCHEMA -> TypedSchema.JSON;
                case PROTOBUF -> TypedSchema.PROTOBUF;
            };
        }

        /** The descriptors of a registry schema's references, built first (each once). */
        private static java.util.function.Function<String, FileDescriptor> importsOf(TypedSchema schema,
                                                                                     SchemaRegistryClient registry) {
            Map<String, FileDescriptor> imports = new HashMap<>();
            List<TypedSchema.Reference> references = registry == null ? List.of() : new ArrayList<>(schema.references());
            for (TypedSchema.Reference reference : references) {
                TypedSchema referenced = registry.typedVersion(reference.subject(), reference.version());
                imports.put(reference.name(), ProtobufSchemas.descriptor(reference.name(), referenced.text(),
                        importsOf(referenced, registry)));
            }
            return imports::get;
        }
    }
}
