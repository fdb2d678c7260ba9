package dev.lakehouse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server (Debian's package) in a fresh data folder, on a free loopback port, with logical
 * decoding on ({@code wal_level=logical}) so Debezium's connector can stream its changes. Trust authentication
 * for the superuser {@code postgres}, no password. Run as the {@code postgres} system user when the tests run as
 * root (PostgreSQL refuses root). Stopped, and its folder deleted, by {@link #close()}.
 *
 * <p>When PostgreSQL is not installed the calling test is skipped, unless {@code LAKEHOUSE_REQUIRE_POSTGRES} is
 * set (CI sets it, and installs the package): then it fails.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path dataDir;
    private final int port;
    private final Path log;

    private PostgresServer(Process process, Path dataDir, int port, Path log) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.log = log;
    }

    /**
     * Initialises a cluster in a new folder and starts it.
     *
     * @param log the server's log file
     */
    public static PostgresServer start(Path log) throws IOException, InterruptedException {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            String message = "PostgreSQL is not installed (Debian's package postgresql: initdb and postgres under "
                    + "/usr/lib/postgresql/<version>/bin)";
            if (System.getenv("LAKEHOUSE_REQUIRE_POSTGRES") != null) {
                throw new IllegalStateException(message + ", and LAKEHOUSE_REQUIRE_POSTGRES is set");
            }
            Assumptions.abort(message);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dataDir = Files.createTempDirectory("lakehouse-postgres-");
        if (root) {
            run(List.of("chown", "postgres", dataDir.toString()), log);
        }
        run(asServerUser(root, bin.get().resolve("initdb").toString(), "-D", dataDir.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync"), log);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = asServerUser(root, bin.get().resolve("postgres").toString(), "-D", dataDir.toString(),
                "-p", String.valueOf(port), "-k", dataDir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "wal_level=logical", "-c", "max_replication_slots=10", "-c", "max_wal_senders=10",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PostgresServer server = new PostgresServer(process, dataDir, port, log);
        Instant deadline = Instant.now().plus(START_DEADLINE);
        while (!Files.readString(log).contains("database system is ready to accept connections")) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                server.close();
                throw new IllegalStateException("PostgreSQL did not start within " + START_DEADLINE + " (see " + log
                        + ")");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return server;
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /** A JDBC URL of {@code database} for the superuser {@code postgres}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** Stops the server (a fast shutdown: clients disconnected) and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client (Debezium's slot) to leave.
            new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (UncheckedIOException | IOException e) {
            // a folder under the temporary directory: left for the machine to clean
        }
    }

    /** The folder holding initdb and postgres: the newest Debian version's, else those on the PATH. */
    static Optional<Path> binaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                        .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())));
                if (newest.isPresent()) {
                    return newest;
                }
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path bin = Path.of(dir);
            if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres"))) {
                return Optional.of(bin);
            }
        }
        return Optional.empty();
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> asServerUser(boolean root, String... command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed (see " + log + ")");
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL on 127.0.0.1:" + port + " (log " + log + ")";
    }
}
