package dev.lakehouse.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerIT {

    @Test
    void servesProduceAndConsumeAndLeavesNothingBehind() throws Exception {
        long pid;
        Path dataDir;
        try (LocalKafkaBroker broker = LocalKafkaBroker.builder().start()) {
            pid = broker.pid();
            dataDir = broker.dataDir();
            broker.createTopic("greetings", 3);
            try (Admin admin = broker.admin()) {
                // createTopic returns only once the broker itself names a leader for every partition.
                assertThat(admin.describeTopics(List.of("greetings")).allTopicNames().get().get("greetings")
                        .partitions()).hasSize(3).allSatisfy(p -> assertThat(p.leader().id()).isEqualTo(1));
            }

            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>("greetings", "k" + i, "hello " + i)).get();
                }
            }

            Properties consumerProps = new Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "it");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer =
                         new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("greetings"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (values.size() < 30 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        values.add(r.value());
                    }
                }
            }
            assertThat(values).hasSize(30).contains("hello 0", "hello 29");
            assertThat(broker.logFile()).exists();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void keepsDataInACallerOwnedDirectoryAcrossRestarts(@TempDir Path dir) {
        try (LocalKafkaBroker broker = LocalKafkaBroker.builder().dataDir(dir).start()) {
            broker.createTopic("durable", 1, Map.of("retention.ms", "-1"));
        }
        assertThat(dir.resolve("cluster.id")).exists();
        try (LocalKafkaBroker again = LocalKafkaBroker.builder().dataDir(dir).start()) {
            assertThatThrownBy(() -> again.createTopic("durable", 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already exists");
        }
        assertThat(Files.isDirectory(dir)).isTrue();
    }

    @Test
    void aKilledParentTakesItsBrokerAlong() throws Exception {
        Process owner = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BrokerOwnerMain.class.getName())
                .redirectErrorStream(true).start();
        long brokerPid = -1;
        Path brokerDir = null;
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(owner.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("BROKER_DIR ")) {
                    brokerDir = Path.of(line.substring("BROKER_DIR ".length()).trim());
                }
                if (line.startsWith("BROKER_PID ")) {
                    brokerPid = Long.parseLong(line.substring("BROKER_PID ".length()).trim());
                    break;
                }
            }
            assertThat(brokerPid).as("the owner process reported its broker").isPositive();
            assertThat(ProcessHandle.of(brokerPid)).isPresent();

            owner.destroyForcibly(); // SIGKILL: no shutdown hook runs in the owner
            owner.waitFor(30, TimeUnit.SECONDS);

            long pid = brokerPid;
            org.awaitility.Awaitility.await("broker pid " + pid + " to exit after its parent was killed")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
        } finally {
            owner.destroyForcibly();
            if (brokerPid > 0) {
                ProcessHandle.of(brokerPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (brokerDir != null) {
                // The killed owner could not delete its temporary directory; the test does.
                LocalKafkaBroker.deleteRecursively(brokerDir);
            }
        }
    }

    @Test
    void badBrokerPropertyFailsStartWithTheBrokerLog() {
        assertThatThrownBy(() -> LocalKafkaBroker.builder()
                .brokerProperty("num.network.threads", "not-a-number")
                .startupTimeout(Duration.ofSeconds(60))
                .start())
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("num.network.threads");
    }
}
