package dev.lakehouse.kafka.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link LocalKafkaBroker}: writes its {@code server.properties} (KRaft, combined broker and controller,
 * single replicas), formats its storage on the first start, launches the child JVM and waits until it answers
 * metadata requests. Free ports are chosen now, so a start is tried three times with fresh ones.
 */
final class BrokerLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLauncher.class);
    private static final String CLASSPATH_RESOURCE = "broker.classpath";

    private final String heap;
    private final Duration startupTimeout;
    private final int defaultPartitions;
    private final int port;
    private final Map<String, String> overrides;

    BrokerLauncher(String heap, Duration startupTimeout, int defaultPartitions, int port,
                   Map<String, String> overrides) {
        this.heap = heap;
        this.startupTimeout = startupTimeout;
        this.defaultPartitions = defaultPartitions;
        this.port = port;
        this.overrides = new LinkedHashMap<>(overrides);
    }

    /**
     * Formats storage (first start only) and starts the broker in {@code dataDir}, or in a temporary directory
     * deleted on close when it is null.
     */
    LocalKafkaBroker start(Path dataDir) {
        boolean ownsDir = dataDir == null;
        Path dir;
        try {
            dir = ownsDir ? Files.createTempDirectory("local-kafka-") : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create broker data directory", e);
        }
        // A free port found now may be taken before the broker binds it; a second try with fresh ports
        // makes that race practically harmless.
        int attempts = port == 0 ? 3 : 1;
        BrokerStartException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return startOnce(dir, ownsDir);
            } catch (BrokerStartException e) {
                last = e;
                LOG.warn("local broker start attempt {} of {} failed: {}", attempt, attempts, e.getMessage());
            }
        }
        if (ownsDir) {
            LocalKafkaBroker.deleteRecursively(dir);
        }
        throw last;
    }

    private LocalKafkaBroker startOnce(Path dir, boolean ownsDir) {
        int clientPort = port != 0 ? port : freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        Path logFile = dir.resolve("broker.log");
        String bootstrap = "127.0.0.1:" + clientPort;
        writeConfig(config, dir.resolve("logs"), clientPort, controllerPort);

        Path clusterIdFile = dir.resolve("cluster.id");
        String clusterId = readOrCreateClusterId(clusterIdFile);
        Process format = launch(logFile, "format", clusterId, config.toString());
        awaitExit(format, logFile, "formatting storage");

        Process serve = launch(logFile, "serve", config.toString());
        LocalKafkaBroker broker = new LocalKafkaBroker(serve, bootstrap, dir, logFile, ownsDir);
        try {
            awaitReady(broker, Instant.now().plus(startupTimeout));
        } catch (RuntimeException e) {
            broker.abandon();
            throw e;
        }
        LOG.info("local Kafka broker ready at {} (pid {}, data {})", bootstrap, serve.pid(), dir);
        return broker;
    }

    private void writeConfig(Path config, Path logDirs, int clientPort, int controllerPort) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        props.put("log.dirs", logDirs.toString());
        props.put("num.partitions", Integer.toString(defaultPartitions));
        // A single node: every internal topic has one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        // Tests and the demo start consumers right away; the default 3 s delay only slows them down.
        props.put("group.initial.rebalance.delay.ms", "0");
        props.putAll(overrides);
        StringBuilder text = new StringBuilder("# Written by LocalKafkaBroker\n");
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.writeString(config, text.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
    }

    private Process launch(Path logFile, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseG1GC");
        command.add("-Djava.awt.headless=true");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        command.add("-cp");
        command.add(brokerClasspath());
        command.add(BrokerProcessMain.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new BrokerStartException("cannot launch the broker JVM: " + e.getMessage(), e);
        }
    }

    private void awaitExit(Process process, Path logFile, String what) {
        try {
            if (!process.waitFor(startupTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BrokerStartException(what + " timed out after " + startupTimeout
                        + "\n" + LocalKafkaBroker.tail(logFile), null);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while " + what, e);
        }
        if (process.exitValue() != 0) {
            throw new BrokerStartException(what + " failed with exit code " + process.exitValue()
                    + "\n" + LocalKafkaBroker.tail(logFile), null);
        }
    }

    private static void awaitReady(LocalKafkaBroker broker, Instant deadline) {
        Exception lastError = null;
        try (Admin admin = broker.admin()) {
            while (Instant.now().isBefore(deadline)) {
                if (!broker.isAlive()) {
                    throw new BrokerStartException("the broker JVM exited with code "
                            + broker.exitValue() + " during start-up\n" + LocalKafkaBroker.tail(broker.logFile()), null);
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerStartException("interrupted while waiting for the broker", e);
                }
            }
        }
        throw new BrokerStartException("the broker did not answer within the start-up timeout at "
                + broker.bootstrapServers() + "\n" + LocalKafkaBroker.tail(broker.logFile()), lastError);
    }

    /** The child JVM's classpath: the resolved broker jars, plus the jar holding {@link BrokerProcessMain}. */
    static String brokerClasspath() {
        try (InputStream in = LocalKafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + CLASSPATH_RESOURCE + " is missing: local-kafka was "
                        + "not built by Maven (run `mvn -pl local-kafka -am install`)");
            }
            String brokerJars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            String self = Path.of(LocalKafkaBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            return self + java.io.File.pathSeparator + brokerJars;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    private static String readOrCreateClusterId(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            String id = Uuid.randomUuid().toString();
            Files.writeString(file, id, StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
