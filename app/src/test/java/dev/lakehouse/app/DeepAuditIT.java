package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.FileRewrite;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lakehouse audit --deep} through the app's own processes: a topic written by a transactional producer
 * (committed and aborted transactions, so transaction markers and aborted records sit between the data records,
 * and a few records that are not JSON) is ingested by {@code bin/lakehouse run --once} into two tables, one with
 * the {@code _kafka} column and one without. The deep audit reads the topic itself and proves both whole, with
 * every figure exact. Then a test helper changes the first table behind the appliance's back, as another writer
 * could: it removes a data file and adds a copy of a row. The log audit cannot see that (the offsets the commits
 * took are unchanged); the deep audit names the missing and the doubled offsets and exits 1. Last, the topic is
 * deleted and created again: the deep audit says it cannot check the table against it, and why; and once the
 * appliance started over on the new topic, the deep audit checks the table from its start-over on.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DeepAuditIT {

    private static final int PARTITIONS = 2;
    /** Records per partition per committed transaction; {@code -Ddeep.audit.records=1000000} times a large audit. */
    private static final int COMMITTED = Integer.getInteger("deep.audit.records", 100);
    private static final int ABORTED = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDeepAuditProvesEveryDataRecordIsInTheTableOnceAndNamesRowsChangedBehindItsBack(LocalKafkaBroker kafka,
                                                                                         @TempDir Path dir)
            throws Exception {
        String topic = "deep-audit";
        kafka.createTopic(topic, PARTITIONS);
        // Per partition: a committed transaction of 100, an aborted one of 50, a committed one of 100 of which 2
        // are not JSON. Kafka holds 200 data records per partition; 50 aborted records and 2 markers lie in the
        // span the table takes (the last marker follows its last record, outside the span), offsets 0 to 251.
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestClients.producer(kafka,
                Map.of("transactional.id", "deep-audit-producer"))) {
            producer.initTransactions();
            long id = 0;
            for (String outcome : List.of("commit", "abort", "commit")) {
                producer.beginTransaction();
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    int count = outcome.equals("abort") ? ABORTED : COMMITTED;
                    for (int i = 0; i < count; i++) {
                        boolean bad = outcome.equals("commit") && id >= COMMITTED * PARTITIONS && (i == 17 || i == 67);
                        String value = bad ? "not json " + id : "{\"id\": " + id + ", \"note\": \"" + outcome + "\"}";
                        producer.send(new ProducerRecord<>(topic, partition, null,
                                value.getBytes(StandardCharsets.UTF_8)));
                        id++;
                    }
                }
                if (outcome.equals("commit")) {
                    producer.commitTransaction();
                } else {
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }
        Files.writeString(dir.resolve("event.avsc"), """
                {"type": "record", "name": "Event", "fields": [{"name": "id", "type": "long"},
                  {"name": "note", "type": "string"}]}""");
        String withOffsets = dir.resolve("events").toUri().toString();
        String withoutOffsets = dir.resolve("events_plain").toUri().toString();
        ApplianceYaml yaml = new ApplianceYaml();
        for (String name : List.of("events", "events_plain")) {
            yaml.pipeline(name).set("instance-id", "appliance-1")
                    .set("format", "json").set("value-schema-file", "event.avsc")
                    .set("source.bootstrap-servers", kafka.bootstrapServers())
                    .set("source.topics", List.of(topic))
                    .set("source.group-id", "lakehouse-" + name)
                    .set("source.starting-position", "earliest")
                    .set("source.on-topic-recreated", "start-over")
                    .set("table.location", name.equals("events") ? withOffsets : withoutOffsets)
                    .set("table.kafka-metadata", name.equals("events"))
                    .set("trigger.interval", "1s")
                    .set("trigger.max-records", Math.max(60, COMMITTED / 2)) // several commits, and files
                    .set("compaction.enabled", false);
        }
        Path config = yaml.console("host", "127.0.0.1").console("port", 0).write(dir.resolve("lakehouse.yaml"));
        Path log = Path.of("target", "deep-audit.log").toAbsolutePath();
        Files.deleteIfExists(log);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("run --once (see %s)", log).isZero();

        Path auditLog = Path.of("target", "deep-audit-audit.log").toAbsolutePath();
        Path report = dir.resolve("audit.json");
        Files.deleteIfExists(auditLog);
        long auditStart = System.nanoTime();
        int exit = ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString(), "--deep",
                "--report", report.toString());
        System.out.printf("deep audit: 2 tables of %,d data records (and %,d aborted) each, exit %d in %.1f s%n",
                PARTITIONS * 2L * COMMITTED, PARTITIONS * (long) ABORTED, exit, (System.nanoTime() - auditStart) / 1e9);
        String printed = Files.readString(auditLog);
        assertThat(exit).as(printed).isZero();
        long last = 2L * COMMITTED + ABORTED + 1;
        for (int partition = 0; partition < PARTITIONS; partition++) {
            assertThat(printed).contains(String.format("  %s-%d: offsets 0 to %d: %,d data records, %,d rows, 2 dead "
                    + "letters, %d control or aborted", topic, partition, last, 2L * COMMITTED, 2L * COMMITTED - 2,
                    ABORTED + 2));
            assertThat(printed).contains(String.format("  %s-%d: offsets 0 to %d: %,d data records, 2 dead letters, "
                    + "%d control or aborted", topic, partition, last, 2L * COMMITTED, ABORTED + 2));
        }
        assertThat(printed).contains("events: deep audit against Kafka (read_committed): rows matched to offsets by "
                        + "their _kafka column")
                .contains("events_plain: deep audit against Kafka (read_committed): no _kafka column: each "
                        + "commit's rows and dead letters counted against Kafka's records")
                .contains("events: OK: every data record in Kafka is in the table exactly once")
                .contains("events_plain: OK: every data record in Kafka is in the table exactly once");
        JsonNode reports = JSON.readTree(Files.readString(report));
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0).path("deep").path("ok").asBoolean()).isTrue();
        assertThat(reports.get(0).path("deep").path("partitions").get(0).path("dataRecords").asLong())
                .isEqualTo(2L * COMMITTED);
        assertThat(reports.get(0).path("log").path("ok").asBoolean()).isTrue();

        // Another writer removes a data file and adds a copy of a row: the offsets the commits took are unchanged.
        LakeTable table = LakeTable.open(TableOptions.builder(withOffsets).build());
        List<DataFile> files = table.snapshot().files();
        assertThat(files).hasSizeGreaterThan(2);
        DataFile removed = files.get(0);
        GenericRecord copied;
        try (RowReader rows = table.openRows(files.get(files.size() - 1))) {
            copied = rows.next();
        }
        DataFileWriter writer = table.newDataFileWriter();
        writer.write(copied);
        table.rewrite(new FileRewrite(List.of(removed), writer.finish(), true, "UPDATE", Map.of(), Map.of()));
        GenericRecord copiedKafka = (GenericRecord) copied.get("_kafka");

        Files.deleteIfExists(auditLog);
        exit = ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString(), "--table", "events",
                "--deep");
        printed = Files.readString(auditLog);
        assertThat(exit).as(printed).isEqualTo(1);
        assertThat(printed).as("the log cannot see it").contains("events: OK: every offset taken is in the table "
                + "exactly once");
        // The removed file's rows are named per partition (a file of a batch holds rows of each of its partitions).
        java.util.regex.Matcher missing = java.util.regex.Pattern.compile(
                "\\n    " + topic + "-\\d: ([0-9,]+) data records in Kafka that are neither a row nor a dead letter: "
                        + "offsets \\d").matcher(printed);
        long missingRecords = 0;
        int missingProblems = 0;
        while (missing.find()) {
            missingRecords += Long.parseLong(missing.group(1).replace(",", ""));
            missingProblems++;
        }
        assertThat(missingRecords).as(printed).isEqualTo(removed.numRecords());
        assertThat(printed).contains(copiedKafka.get("topic") + "-" + copiedKafka.get("partition")
                + ": 1 rows more than once: offsets " + copiedKafka.get("offset"));
        assertThat(printed).contains("events: NOT WHOLE against Kafka: " + (missingProblems + 1) + " problems");

        // The topic deleted and created again, empty: the deep audit cannot check the table against it and says why.
        try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> {
                    kafka.createTopic(topic, PARTITIONS);
                    return true;
                });
        Path report2 = dir.resolve("audit-recreated.json");
        Files.deleteIfExists(auditLog);
        exit = ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString(), "--table",
                "events_plain", "--deep", "--report", report2.toString());
        printed = Files.readString(auditLog);
        assertThat(exit).as(printed).isEqualTo(1);
        assertThat(printed).contains("events_plain: OK: every offset taken is in the table exactly once")
                .contains("events_plain: the deep audit did not complete: " + topic + "-0: Kafka's partition ends at "
                        + "offset 0 but the table took offsets up to " + (last + 1) + ": the topic was recreated");
        assertThat(JSON.readTree(Files.readString(report2)).get(0).path("deep").path("error").asText())
                .contains("the topic was recreated");

        // The appliance starts over on the new topic (source.on-topic-recreated: start-over): the deep audit checks
        // the table from its start-over on, and the commits before it, of the deleted topic, are not held against it.
        List<ProducerRecord<byte[], byte[]>> fresh = new java.util.ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            for (int i = 0; i < 30; i++) {
                fresh.add(new ProducerRecord<>(topic, partition, null, ("{\"id\": " + (1_000_000 + i) + ", \"note\": "
                        + "\"again\"}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        KafkaTestClients.produceAll(kafka, fresh);
        assertThat(ApplianceProcess.runToExit(log, "run", "--config", config.toString(), "--once"))
                .as("run --once after the topic was recreated (see %s)", log).isZero();
        Files.deleteIfExists(auditLog);
        exit = ApplianceProcess.runToExit(auditLog, "audit", "--config", config.toString(), "--table",
                "events_plain", "--deep");
        printed = Files.readString(auditLog);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("start-overs (topic recreated)")
                .contains("  " + topic + "-0: offsets 0 to 29: 30 data records, 0 dead letters, 0 control or aborted")
                .contains("events_plain: OK: every data record in Kafka is in the table exactly once");
    }
}
