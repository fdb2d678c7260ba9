package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of topics, a table each, from one appliance as production runs it: 200 topics of nested Avro orders,
 * one {@code bin/lakehouse run --once} with a topic pattern and a {@code {topic}} table location, a fixed instance
 * id, the console on and the script's default JVM options (a 512 MiB heap). It exits 0 by itself, Delta Kernel
 * finds in each table exactly its topic's orders, and the process never had more than 80 threads: one consumer and
 * a shared writer pool for all the tables, where a consumer, a poll thread and a writer thread per topic made over
 * 1,000 threads and ran out of heap.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class HundredsOfTopicsIT {

    private static final int TOPICS = 200;
    private static final int ORDERS_PER_TOPIC = 50;
    private static final int MAX_THREADS = 80;

    @TempDir
    Path dir;

    @Test
    void aCatchUpRunOverTwoHundredTopicsFillsEachTableExactlyOnceWithBoundedThreads(
            LocalKafkaBroker kafka, SchemaRegistryServer registry) throws Exception {
        String prefix = TestNames.unique("many");
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < TOPICS; i++) {
            topics.add(prefix + "-" + i);
        }
        kafka.createTopics(topics, 1); // and waits for their leaders: a send before that may expire
        try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                RegistryClientConfig.builder(registry.url()).build());
             OrderGenerator orders = new OrderGenerator(kafka.bootstrapServers(), client, topics.get(0), 0,
                     Clock.systemUTC());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
                    new ArrayList<>();
            for (String topic : topics) { // orders i * 1000 .. i * 1000 + 49 to topic i
                long first = Long.parseLong(topic.substring(topic.lastIndexOf('-') + 1)) * 1000;
                for (int n = 0; n < ORDERS_PER_TOPIC; n++) {
                    org.apache.avro.generic.GenericRecord order = orders.nextOrder();
                    order.put("order_id", first + n);
                    sent.add(producer.send(new ProducerRecord<>(topic,
                            serializer.serialize(topic, RecordPart.VALUE, order))));
                }
            }
            producer.flush();
            for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send : sent) {
                send.get(); // every order is in its topic, or the test stops here
            }
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path tables = dir.resolve("tables");
        Path config = dir.resolve("lakehouse.yaml");
        new ApplianceYaml().pipeline("many")
                .set("instance-id", "appliance-1")
                .set("source.bootstrap-servers", kafka.bootstrapServers())
                .set("source.topic-pattern", prefix + "-[0-9]+")
                .set("source.starting-position", "earliest")
                .set("format", "avro")
                .set("registry.url", registry.url())
                .set("table.location", tables.toUri() + "/{topic}")
                .set("trigger.interval", "1s")
                .and().console("host", "127.0.0.1").console("port", port).write(config);
        Path log = Path.of("target", "hundreds-of-topics.log").toAbsolutePath();
        Files.deleteIfExists(log);

        Process once = ApplianceProcess.startInstalled(log, null, "run", "--config", config.toString(), "--once");
        int peakThreads = 0;
        while (!once.waitFor(200, TimeUnit.MILLISECONDS)) {
            peakThreads = Math.max(peakThreads, threads(once.pid()));
            if (!once.isAlive()) {
                break;
            }
            if (Files.size(log) > 0 && Files.readString(log).contains("OutOfMemoryError")) {
                break;
            }
        }
        assertThat(once.waitFor(3, TimeUnit.MINUTES)).as("the catch-up run exits (see %s)", log).isTrue();
        assertThat(once.exitValue()).as("exit of the catch-up run (see %s)", log).isZero();
        assertThat(peakThreads).as("the process's threads at their most").isPositive().isLessThanOrEqualTo(MAX_THREADS);

        for (String topic : topics) {
            long first = Long.parseLong(topic.substring(topic.lastIndexOf('-') + 1)) * 1000;
            Set<Long> ids = new HashSet<>();
            List<Map<String, Object>> rows = KernelReader.read(tables.resolve(topic).toString()).rows();
            rows.forEach(row -> ids.add((Long) row.get("order_id")));
            assertThat(rows).as("rows of %s", topic).hasSize(ORDERS_PER_TOPIC);
            assertThat(ids).as("ids of %s", topic).hasSize(ORDERS_PER_TOPIC)
                    .allMatch(id -> id >= first && id < first + ORDERS_PER_TOPIC);
        }
        assertThat(Files.readString(log)).doesNotContain("FAILED").doesNotContain("OutOfMemoryError");
    }

    /** The process's thread count from {@code /proc}, or 0 once it has ended. */
    private static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0; // ended between two looks
        }
        return 0;
    }
}
