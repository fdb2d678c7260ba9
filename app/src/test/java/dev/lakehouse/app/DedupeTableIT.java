package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code table.mode: dedupe} for an at-least-once producer that resends, through {@code bin/lakehouse run --once}
 * with the shipped configuration, twice: copies of an event within its horizon ({@code table.dedupe-horizon: 7d} on
 * {@code table.dedupe-time-column}) are skipped, in the batch and against the table; an event id seen again after
 * its horizon is a new event and inserted; an event without a time is a dead letter saying why. The table Delta
 * Kernel reads holds exactly the rows computed from what was sent.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class DedupeTableIT {

    private static final Schema EVENT = new Schema.Parser().parse("""
            {"type": "record", "name": "Payment", "namespace": "shop", "fields": [
              {"name": "event_id", "type": "string"},
              {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": null},
              {"name": "amount", "type": "long"}]}""");
    private static final long DAY = 86_400_000L;
    private static final long START = 1_767_225_600_000L; // 2026-01-01

    @TempDir
    Path dir;

    /** The rows the table must hold: event id → the amounts of its rows, in any order. */
    private final Map<String, List<Long>> expected = new TreeMap<>();

    @Test
    void copiesWithinTheHorizonAreSkippedAndAnEventSeenAgainAfterItIsNew(LocalKafkaBroker kafka,
                                                                        SchemaRegistryServer registry) throws Exception {
        String topic = TestNames.unique("payments");
        kafka.createTopic(topic, 3);
        String location = dir.resolve("payments").toUri().toString();
        Path config = ShippedConfig.write(dir.resolve("payments.yaml"), kafka, registry, topic, location,
                "appliance-1", pipeline -> pipeline.set("table.mode", "dedupe").set("table.key", List.of("event_id"))
                        .set("table.dedupe-horizon", "7d").set("table.dedupe-time-column", "at")
                        .set("table.partition-by", List.of()));
        List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>();
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            for (int i = 0; i < 1_000; i++) {
                first.add(event(serializer, topic, i, START + i * 1_000L, i, true));
                if (i % 5 == 0) {
                    first.add(event(serializer, topic, i, START + i * 1_000L + 60_000L, -i, false)); // a resend
                }
            }
            for (int i = 0; i < 5; i++) {
                first.add(event(serializer, topic, 5_000 + i, null, i, false)); // no time: a dead letter
            }
            for (int i = 0; i < 100; i++) {
                // The same ids a month later: new events. Copies of the last hundred, a day after them: skipped.
                second.add(event(serializer, topic, i, START + 30 * DAY + i, 100_000 + i, true));
                second.add(event(serializer, topic, 900 + i, START + DAY + i, -900 - i, false));
                second.add(event(serializer, topic, 1_000 + i, START + 31 * DAY + i, 1_000 + i, true));
            }
        }
        Path log = Path.of("target", "dedupe-table.log").toAbsolutePath();
        Files.deleteIfExists(log);
        KafkaTestClients.produceAll(kafka, first);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("run --once (see %s)", log).isZero();
        KafkaTestClients.produceAll(kafka, second);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("the second run --once (see %s)", log).isZero();

        Map<String, List<Long>> actual = new TreeMap<>();
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            actual.computeIfAbsent((String) row.get("event_id"), id -> new ArrayList<>()).add((Long) row.get("amount"));
        }
        actual.values().forEach(amounts -> amounts.sort(null));
        expected.values().forEach(amounts -> amounts.sort(null));
        assertThat(actual).as("the first copy of every event within its week, and ids seen again after it")
                .isEqualTo(expected);
        assertThat(actual.values().stream().mapToInt(List::size).sum()).isEqualTo(1_200);
        List<Map<String, Object>> letters = KernelReader.read(location + "_dead_letters").rows();
        assertThat(letters).hasSize(5).allSatisfy(letter -> {
            assertThat(letter.get("reason")).isEqualTo("NULL_IN_REQUIRED_COLUMN");
            assertThat(String.valueOf(letter.get("message"))).contains("column 'at' is null")
                    .contains("table.dedupe-time-column");
        });
        assertThat(LakeTable.open(TableOptions.builder(location).build()).history(100))
                .as("every batch a MERGE that rewrote nothing")
                .filteredOn(c -> c.operation().equals("MERGE")).isNotEmpty()
                .allSatisfy(c -> assertThat(c.metrics()).containsEntry("numTargetFilesRemoved", "0"));
    }

    private ProducerRecord<byte[], byte[]> event(ConfluentAvroSerializer serializer, String topic, int id, Long at,
                                                 long amount, boolean kept) {
        GenericRecord value = new GenericData.Record(EVENT);
        value.put("event_id", "e" + id);
        value.put("at", at);
        value.put("amount", amount);
        if (kept) {
            expected.computeIfAbsent("e" + id, key -> new ArrayList<>()).add(amount);
        }
        // Keyed by the event id, as a producer that resends does: its copies land in one partition, in order.
        return new ProducerRecord<>(topic, ("e" + id).getBytes(StandardCharsets.UTF_8),
                serializer.serialize(topic, RecordPart.VALUE, value));
    }
}
