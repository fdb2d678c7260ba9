package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.CompactionConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ApplianceConfig.RegistryConfig;
import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.PartitionByParser;
import dev.lakehouse.compaction.CompactionSettings;
import dev.lakehouse.compaction.MaintenanceScheduler;
import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.DeadLetterTopic;
import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.ingest.decode.ConfluentJsonSchemaDecoder;
import dev.lakehouse.ingest.decode.ConfluentProtobufDecoder;
import dev.lakehouse.ingest.decode.ConnectJsonDecoder;
import dev.lakehouse.ingest.decode.DebeziumAvroDecoder;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.Envelope;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.PipelineSettingsBuilder;
import dev.lakehouse.ingest.settings.StartingPosition;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * A pipeline's parts built from its configuration: the engine's settings, its table, decoder, dead-letter
 * destinations and registry client, and its tables' maintenance. The appliance and the commands that work on one
 * pipeline ({@code dead-letters}, {@code compact}, {@code audit}, {@code schema check}) build them alike here.
 */
final class PipelineParts {

    private PipelineParts() {
    }

    /** The client settings that reach a secured cluster: {@code security.*}, {@code sasl.*}, {@code ssl.*}. */
    static Map<String, Object> securityProperties(Map<String, String> consumerProperties) {
        Map<String, Object> security = new HashMap<>();
        consumerProperties.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                security.put(key, value);
            }
        });
        return security;
    }

    /** A pipeline table's maintenance: scheduled when compaction is enabled, on demand otherwise. */
    static MaintenanceScheduler.TableMaintenance maintenance(PipelineConfig pipeline, LakeTable table) {
        CompactionConfig compaction = pipeline.compaction();
        MaintenanceScheduler.Schedule compactSchedule = null;
        MaintenanceScheduler.Schedule vacuumSchedule = null;
        if (compaction.enabled()) {
            compactSchedule = compaction.cron() != null ? MaintenanceScheduler.Schedule.cron(compaction.cron())
                    : MaintenanceScheduler.Schedule.every(compaction.interval());
            vacuumSchedule = compaction.vacuumInterval() == null ? null
                    : MaintenanceScheduler.Schedule.every(compaction.vacuumInterval());
        }
        return new MaintenanceScheduler.TableMaintenance(pipeline.name(), table, compactionSettings(pipeline),
                compactSchedule, vacuumSchedule, compaction.vacuumRetention());
    }

    /**
     * A keyed table without {@code table.key} or {@code compaction.sort-by} is sorted by the key the table recorded
     * (taken from the Kafka key at its creation), as a keyed table with a configured key is sorted by that key.
     */
    static CompactionSettings compactionSettings(PipelineConfig pipeline) {
        CompactionSettings settings = new CompactionSettings(pipeline.table().targetFileSize(),
                pipeline.compaction().smallFileSize(), pipeline.compaction().minInputFiles())
                .sortedBy(pipeline.compaction().sortBy());
        return pipeline.compaction().sortByTableKey() ? settings.sortedByTableKey() : settings;
    }

    /**
     * The dead-letter table's maintenance: compacted and vacuumed on the pipeline's schedule, unsorted (its
     * columns are the letters', not the table's), named {@code <pipeline>.dead_letters}.
     */
    static MaintenanceScheduler.TableMaintenance deadLetterMaintenance(PipelineConfig pipeline, LakeTable table) {
        MaintenanceScheduler.TableMaintenance main = maintenance(pipeline, table);
        return new MaintenanceScheduler.TableMaintenance(pipeline.name() + ".dead_letters", table,
                new CompactionSettings(pipeline.table().targetFileSize(), pipeline.compaction().smallFileSize(),
                        pipeline.compaction().minInputFiles()), main.compactSchedule(), main.vacuumSchedule(),
                main.vacuumRetention());
    }

    /** The pipeline's decoder, sharing one registry client per registry configuration. */
    static RecordDecoder decoder(PipelineConfig pipeline, Map<RegistryConfig, SchemaRegistryClient> registries) {
        return switch (pipeline.format()) {
            case AVRO -> pipeline.source().envelope() == Envelope.DEBEZIUM
                    ? new DebeziumAvroDecoder(registries.computeIfAbsent(pipeline.registry(), PipelineParts::registry))
                    : new ConfluentAvroDecoder(registries.computeIfAbsent(pipeline.registry(), PipelineParts::registry));
            case JSON -> pipeline.valueSchemaFile() == null ? new ConnectJsonDecoder()
                    : new JsonRecordDecoder(readSchema(pipeline.valueSchemaFile()));
            case JSON_SCHEMA -> new ConfluentJsonSchemaDecoder(registries.computeIfAbsent(pipeline.registry(),
                    PipelineParts::registry));
            case PROTOBUF -> new ConfluentProtobufDecoder(registries.computeIfAbsent(pipeline.registry(),
                    PipelineParts::registry));
        };
    }

    /** The pipeline's dead-letter destinations: its table and/or topic. */
    static DeadLetterDestination deadLetters(PipelineConfig pipeline) {
        return deadLetters(deadLetterTable(pipeline), deadLetterTopic(pipeline));
    }

    static DeadLetterDestination deadLetters(DeadLetterTable table, DeadLetterTopic topic) {
        List<DeadLetterDestination> destinations = new ArrayList<>();
        if (table != null) {
            destinations.add(table);
        }
        if (topic != null) {
            destinations.add(topic);
        }
        return DeadLetterDestination.all(destinations);
    }

    /** The pipeline's dead-letter topic, or null when it has none. */
    static DeadLetterTopic deadLetterTopic(PipelineConfig pipeline) {
        if (pipeline.deadLetters().topic() == null) {
            return null;
        }
        // The topic lives on the source cluster: reuse the consumer's security settings, nothing else.
        Map<String, Object> client = securityProperties(pipeline.source().consumerProperties());
        client.put("bootstrap.servers", pipeline.source().bootstrapServers());
        return new DeadLetterTopic(pipeline.deadLetters().topic(), pipeline.name(), client,
                new HashMap<>(pipeline.deadLetters().producerProperties()));
    }

    /** The pipeline's dead-letter table, or null when it has none. */
    static DeadLetterTable deadLetterTable(PipelineConfig pipeline) {
        return deadLetterTable(pipeline, null);
    }

    /** As {@link #deadLetterTable(PipelineConfig)}, behind a writer lease added to {@code leases} when not null. */
    static DeadLetterTable deadLetterTable(PipelineConfig pipeline, WriterLeases leases) {
        String location = pipeline.deadLetters().tableLocation();
        if (location == null) {
            return null;
        }
        TableOptions.Builder options = TableOptions.builder(location)
                .codec(pipeline.table().codec())
                .engineInfo(Appliance.ENGINE_INFO);
        pipeline.table().hadoop().forEach(options::hadoopProperty);
        CommitCoordinations.shared().configure(options, location, pipeline.table());
        LakeTable table = LakeTable.open(options.build());
        if (leases != null) {
            table = leases.leased(table, pipeline);
        }
        return new DeadLetterTable(table, pipeline.name(), Clock.systemUTC());
    }

    static PipelineSettings settings(PipelineConfig pipeline) {
        return settings(pipeline, false);
    }

    static PipelineSettings settings(PipelineConfig pipeline, boolean catchUpOnly) {
        ApplianceConfig.SourceConfig source = pipeline.source();
        PipelineSettingsBuilder settings = PipelineSettings.builder(pipeline.name())
                .instanceId(pipeline.instanceId())
                .bootstrapServers(source.bootstrapServers())
                .groupId(source.groupId())
                .startingPosition(StartingPosition.parse(source.startingPosition()))
                .triggerInterval(pipeline.trigger().interval())
                .freshnessObjective(pipeline.table().freshnessObjective())
                .freshnessEventTime(pipeline.table().freshnessEventTime())
                .dedupeHorizon(pipeline.table().dedupeHorizon())
                .maxRecords(pipeline.trigger().maxRecords())
                .maxBytes(pipeline.trigger().maxBytes())
                .maxBytesInFlight(pipeline.trigger().maxBytesInFlight())
                .onIncompatibleSchema(pipeline.onIncompatibleSchema())
                .onOffsetGap(source.onOffsetGap())
                .onTopicRecreated(source.onTopicRecreated())
                .leaveGroupOnStop(source.leaveGroupOnStop())
                .maxRecordBytes(source.maxRecordSize())
                .requiredColumns(pipeline.table().requiredColumns())
                .keyColumns(pipeline.table().key())
                .kafkaKeyColumn(pipeline.table().kafkaKeyColumn())
                .keyed(pipeline.table().mode() != ApplianceConfig.TableMode.APPEND)
                .versionColumn(pipeline.table().versionColumn())
                .softDeletes(pipeline.table().softDeletes())
                .changeMetadata(pipeline.table().changeMetadata())
                .insertOnly(pipeline.table().mode() == ApplianceConfig.TableMode.DEDUPE)
                .envelope(pipeline.source().envelope())
                .kafkaMetadata(pipeline.table().kafkaMetadata())
                .catchUpOnly(catchUpOnly);
        if (source.topicPattern() != null) {
            settings.topicPattern(Pattern.compile(source.topicPattern()));
        } else {
            settings.topics(source.topics());
        }
        source.consumerProperties().forEach(settings::consumerProperty);
        return settings.build();
    }

    static LakeTable table(PipelineConfig pipeline) {
        ApplianceConfig.TableConfig table = pipeline.table();
        TableOptions.Builder options = TableOptions.builder(table.location())
                .partitionSpec(PartitionByParser.parse(table.partitionBy()))
                .targetFileSizeBytes(table.targetFileSize())
                .codec(table.codec())
                .engineInfo(Appliance.ENGINE_INFO);
        table.properties().forEach(options::tableProperty);
        table.hadoop().forEach(options::hadoopProperty);
        CommitCoordinations.shared().configure(options, table.location(), table);
        return LakeTable.open(options.build());
    }

    static SchemaRegistryClient registry(RegistryConfig registry) {
        RegistryClientConfig.Builder config = RegistryClientConfig.builder(String.join(",", registry.urls()))
                .connectTimeout(registry.timeout())
                .readTimeout(registry.timeout());
        if (registry.userInfo() != null) {
            config.userInfo(registry.userInfo());
        }
        if (registry.trustStore() != null) {
            char[] password = registry.trustStorePassword() == null ? new char[0]
                    : registry.trustStorePassword().toCharArray();
            String type = registry.trustStore().endsWith(".jks") ? "JKS" : "PKCS12";
            config.trustStore(Path.of(registry.trustStore()), password, type);
        }
        return SchemaRegistryClient.connect(config.build());
    }

    static Schema readSchema(String file) {
        try {
            return new Schema.Parser().parse(Path.of(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the value schema " + file, e);
        }
    }
}
