package dev.lakehouse.kafka.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in a child JVM.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link Builder#start()} returns only when the broker answers metadata requests on
 *       {@link #bootstrapServers()}; otherwise it throws {@link BrokerStartException} with the tail of the log.</li>
 *   <li>The broker never outlives this JVM: {@link #close()} stops it (SIGTERM, then SIGKILL after a grace
 *       period), a shutdown hook does the same on a normal exit, and the child stops by itself when this JVM
 *       dies abruptly (it watches its standard input, see {@link BrokerProcessMain}).</li>
 *   <li>Ports are chosen free at start; the data directory is a fresh temporary one that is deleted on close,
 *       unless the caller gives its own (then it is kept, and a restart reuses the data).</li>
 * </ul>
 *
 * <p>Thread-safe. Start takes about 3-6 seconds, so tests share one broker per test class or per suite.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);
    private static final int STOP_GRACE_SECONDS = 30;
    private static final Duration STOP_GRACE = Duration.ofSeconds(STOP_GRACE_SECONDS);

    private final Process process;
    private final OutputStream parentLifeline;
    private final String bootstrapServers;
    private final Path dataDir;
    private final Path logFile;
    private final boolean ownsDataDir;
    private final Thread shutdownHook;
    private volatile boolean closed;

    LocalKafkaBroker(Process process, String bootstrapServers, Path dataDir, Path logFile,
                             boolean ownsDataDir) {
        this.process = process;
        this.parentLifeline = process.getOutputStream();
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.ownsDataDir = ownsDataDir;
        this.shutdownHook = new Thread(this::stopProcess, "local-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A builder with defaults fit for tests: temporary data, 512 MB heap, one partition per new topic. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Directory holding the broker's configuration, log segments and {@link #logFile()}. */
    public Path dataDir() {
        return dataDir;
    }

    /** The broker's own output (stdout and stderr of the child JVM). */
    public Path logFile() {
        return logFile;
    }

    /** The last {@code lines} lines of {@link #logFile()}, headed by its path, for failure messages. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    /** Whether the child JVM is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child JVM's process id, e.g. to check that nothing is left behind after {@link #close()}. */
    public long pid() {
        return process.pid();
    }

    /** Opens an admin client on this broker. The caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(props);
    }

    /**
     * Creates a topic with replication factor 1 and waits until it exists and every partition has a leader.
     *
     * @param configs topic-level configs such as {@code retention.ms}; may be empty
     * @throws IllegalStateException if the topic already exists or the broker refuses it
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, name, partitions, Instant.now().plusSeconds(30));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                throw new IllegalStateException("topic '" + name + "' already exists on " + bootstrapServers, e);
            }
            throw new IllegalStateException("could not create topic '" + name + "': " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the broker's own metadata gives every partition a leader. The controller acknowledges a new
     * topic before the broker has applied it, and a producer that sends in between holds its batches until the
     * leader is known.
     */
    private void awaitLeaders(Admin admin, String name, int partitions, Instant deadline)
            throws InterruptedException, TimeoutException {
        String last = "no description yet";
        while (Instant.now().isBefore(deadline)) {
            try {
                TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(10, TimeUnit.SECONDS).get(name);
                long led = description.partitions().stream()
                        .filter(p -> p.leader() != null && !p.leader().isEmpty()).count();
                if (description.partitions().size() == partitions && led == partitions) {
                    return;
                }
                last = led + " of " + partitions + " partitions have a leader";
            } catch (ExecutionException e) {
                last = String.valueOf(e.getCause());
            }
            Thread.sleep(50);
        }
        throw new TimeoutException("topic " + name + " has no leader for every partition after 30 s (" + last
                + ")\n" + logTail(60));
    }

    /**
     * Creates many topics of {@code partitions} partitions each in one request, with default configs, and waits
     * until every partition of every one has a leader (a producer sending before that may see its batches expire).
     *
     * @throws IllegalStateException if one exists already, the broker refuses one, or leaders take over 60 s
     */
    public void createTopics(java.util.Collection<String> names, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(names.stream().map(name -> new NewTopic(name, partitions, (short) 1)).toList()).all()
                    .get(2, TimeUnit.MINUTES);
            Instant deadline = Instant.now().plusSeconds(60);
            for (String name : names) {
                awaitLeaders(admin, name, partitions, deadline);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create " + names.size() + " topics: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics: " + e.getMessage(), e);
        }
    }

    /** Creates a topic with default configs. See {@link #createTopic(String, int, Map)}. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Stops the broker: a graceful shutdown first, a kill after {@value #STOP_GRACE_SECONDS} seconds. Deletes the
     * data directory when it was a temporary one. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to: it stops the process itself.
        }
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    /** The broker JVM's exit code; only once it has exited. */
    int exitValue() {
        return process.exitValue();
    }

    /** A start that failed: the process stopped, the shutdown hook removed; the data directory is the caller's. */
    void abandon() {
        stopProcess();
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("broker pid {} did not stop within {}; killing it", process.pid(), STOP_GRACE);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                parentLifeline.close();
            } catch (IOException ignored) {
                // The child is gone; nothing is left to tell.
            }
        }
    }

    @Override
    public String toString() {
        return "LocalKafkaBroker[" + bootstrapServers + ", pid " + process.pid() + ", " + dataDir + "]";
    }

    /** Configures and starts a {@link LocalKafkaBroker}. */
    public static final class Builder {
        private Path dataDir;
        private String heap = "512m";
        private Duration startupTimeout = Duration.ofSeconds(90);
        private int defaultPartitions = 1;
        private int port;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Keeps the broker's data in this directory across restarts (it is created if missing, never deleted).
         * Without it, a temporary directory is used and deleted on close.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Maximum heap of the broker JVM, in {@code -Xmx} syntax. Default 512m. */
        public Builder heap(String xmx) {
            this.heap = Objects.requireNonNull(xmx, "xmx");
            return this;
        }

        /** How long {@link #start()} waits for the broker to answer. Default 90 s. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Partitions of auto-created topics ({@code num.partitions}). Default 1. */
        public Builder defaultPartitions(int partitions) {
            this.defaultPartitions = partitions;
            return this;
        }

        /** A fixed client port instead of a free one (the demo uses this so users know where Kafka is). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Any broker property ({@code server.properties} key); applied after the defaults. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Formats storage (first start only) and starts the broker, returning once it serves requests.
         *
         * @throws BrokerStartException if the child JVM exits or the broker does not answer in time
         */
        public LocalKafkaBroker start() {
            return new BrokerLauncher(heap, startupTimeout, defaultPartitions, port, overrides).start(dataDir);
        }
    }

    /** The last lines of the broker log, for error messages. */
    static String tail(Path logFile) {
        return tail(logFile, 40);
    }

    private static String tail(Path logFile, int maxLines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no broker log at " + logFile + ")";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            int from = Math.max(0, lines.size() - maxLines);
            return "--- last lines of " + logFile + " ---\n" + String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }
}
