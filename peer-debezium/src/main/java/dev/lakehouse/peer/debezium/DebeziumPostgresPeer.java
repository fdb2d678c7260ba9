package dev.lakehouse.peer.debezium;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's PostgreSQL connector in its embedded engine, writing a database table's change events to Kafka the
 * way a Kafka Connect worker does: key and value through Kafka Connect's {@link JsonConverter} (with its
 * {@code schema}/{@code payload} wrapper or without, per stream) or in the Avro converter's format, to the topic the connector names
 * ({@code <topic.prefix>.<schema>.<table>}), partitioned by the key's bytes. A batch's offsets are stored only
 * after the broker acknowledged every event of it, so a restart resends rather than loses (at least once, as
 * Connect).
 *
 * <p>Arguments are {@code key=value}: {@code bootstrap}, {@code host}, {@code port}, {@code database},
 * {@code user}, {@code table} ({@code public.customers}), {@code state} (a folder for the engines' offsets) and
 * {@code streams}: a comma-separated list of {@code <topic prefix>:<converter>}, the converter {@code true} or
 * {@code false} for Kafka Connect's JSON converter with schemas enabled or not, or {@code avro} for the Avro
 * converter's format ({@link ConfluentAvroConverter}) through the registry at {@code registry}; each stream is a
 * connector of its own with its own replication slot and publication. Extra {@code debezium.<property>=<value>}
 * arguments go to every connector, {@code stream.<prefix>.<property>=<value>} to one
 * ({@code stream.plain.decimal.handling.mode=string}). Prints {@code STARTED <prefix>}
 * when a connector's task runs, and runs until killed.
 */
public final class DebeziumPostgresPeer {

    private DebeziumPostgresPeer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, got " + arg);
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, required(options, "bootstrap"));
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer());

        List<DebeziumEngine<RecordChangeEvent<SourceRecord>>> engines = new ArrayList<>();
        ExecutorService executor = Executors.newCachedThreadPool();
        Path state = Path.of(required(options, "state"));
        Files.createDirectories(state);
        for (String stream : required(options, "streams").split(",")) {
            String[] parts = stream.split(":");
            String prefix = parts[0];
            Properties props = connectorProperties(options, prefix, state);
            EventWriter keys = writer(parts[1], true, options);
            EventWriter values = writer(parts[1], false, options);
            DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(
                            ChangeEventFormat.of(Connect.class))
                    .using(props)
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            System.out.println("STARTED " + prefix);
                            System.out.flush();
                        }
                    })
                    .using((success, message, error) -> {
                        System.out.println("STOPPED " + prefix + " success=" + success + " " + message);
                        if (error != null) {
                            error.printStackTrace(System.out);
                        }
                        System.out.flush();
                    })
                    .notifying((List<RecordChangeEvent<SourceRecord>> batch,
                                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) -> {
                        List<Future<?>> sends = new ArrayList<>();
                        for (RecordChangeEvent<SourceRecord> event : batch) {
                            SourceRecord record = event.record();
                            byte[] key = keys.write(record.topic(), record.keySchema(), record.key());
                            byte[] value = values.write(record.topic(), record.valueSchema(), record.value());
                            sends.add(producer.send(new ProducerRecord<>(record.topic(), key, value)));
                        }
                        for (Future<?> send : sends) {
                            try {
                                send.get(2, TimeUnit.MINUTES);
                            } catch (Exception e) {
                                throw new InterruptedException("a send failed, nothing of the batch is marked: " + e);
                            }
                        }
                        for (RecordChangeEvent<SourceRecord> event : batch) {
                            committer.markProcessed(event);
                        }
                        committer.markBatchFinished();
                        System.out.println("SENT " + prefix + " " + batch.size());
                        System.out.flush();
                    })
                    .build();
            engines.add(engine);
            executor.execute(engine);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (DebeziumEngine<?> engine : engines) {
                try {
                    engine.close();
                } catch (IOException e) {
                    System.out.println("closing an engine: " + e);
                }
            }
            producer.close();
        }));
        executor.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }

    private static Properties connectorProperties(Map<String, String> options, String prefix, Path state) {
        Properties props = new Properties();
        props.setProperty("name", "peer-" + prefix);
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        props.setProperty("offset.storage.file.filename", state.resolve(prefix + ".offsets").toString());
        props.setProperty("offset.flush.interval.ms", "0");
        props.setProperty("database.hostname", required(options, "host"));
        props.setProperty("database.port", required(options, "port"));
        props.setProperty("database.user", required(options, "user"));
        props.setProperty("database.password", options.getOrDefault("password", ""));
        props.setProperty("database.dbname", required(options, "database"));
        props.setProperty("topic.prefix", prefix);
        props.setProperty("table.include.list", required(options, "table"));
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", ("slot_" + prefix).replaceAll("[^a-z0-9_]", "_"));
        props.setProperty("publication.name", ("pub_" + prefix).replaceAll("[^a-z0-9_]", "_"));
        props.setProperty("publication.autocreate.mode", "filtered");
        props.setProperty("snapshot.mode", "initial");
        String ofThisStream = "stream." + prefix + ".";
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getKey().startsWith("debezium.")) {
                props.setProperty(option.getKey().substring("debezium.".length()), option.getValue());
            }
        }
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getKey().startsWith(ofThisStream)) {
                props.setProperty(option.getKey().substring(ofThisStream.length()), option.getValue());
            }
        }
        return props;
    }

    /** How a stream's keys or values are written: as a Kafka Connect converter turns Connect data into bytes. */
    private interface EventWriter {
        byte[] write(String topic, org.apache.kafka.connect.data.Schema schema, Object value);
    }

    /**
     * The writer of a stream's converter: {@code true} or {@code false} for Kafka Connect's JSON converter with or
     * without schemas, {@code avro} for the Avro converter's format through the registry at {@code registry}.
     */
    private static EventWriter writer(String converter, boolean isKey, Map<String, String> options) {
        if (converter.equals("avro")) {
            ConfluentAvroConverter avro = new ConfluentAvroConverter(required(options, "registry"), isKey);
            return avro::fromConnectData;
        }
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", String.valueOf(Boolean.parseBoolean(converter))), isKey);
        return json::fromConnectData;
    }

    private static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing argument " + key + "=…");
        }
        return value;
    }
}
