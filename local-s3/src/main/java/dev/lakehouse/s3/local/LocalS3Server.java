package dev.lakehouse.s3.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-protocol server on 127.0.0.1: s3proxy with a file-system backend, in its own JVM, with AWS signature
 * v2/v4 authentication by a fixed access key and secret. Buckets are directories under the data directory. The
 * child JVM exits when this process dies, however it dies.
 */
public final class LocalS3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";
    private static final String CLASSPATH_RESOURCE = "s3proxy.classpath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final OutputStream lifeline;
    private final int port;
    private final Path dataDir;

    private LocalS3Server(Process process, int port, Path dataDir) {
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts the server and waits until it answers.
     *
     * @param dataDir where buckets and objects are kept, and the server's log ({@code s3proxy.log})
     * @throws IllegalStateException if it does not answer within 60 s (the message quotes its log)
     */
    public static LocalS3Server start(Path dataDir) {
        return start(dataDir, freePort());
    }

    /**
     * A server stopped with {@link #close()} started again on its port and data: an outage that heals, as clients
     * see it (their endpoint does not change, the objects are still there).
     */
    public LocalS3Server restart() {
        return start(dataDir, port);
    }

    private static LocalS3Server start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir.resolve("buckets"));
            Path properties = dataDir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dataDir.resolve("buckets"),
                    ""));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = dataDir.resolve("s3proxy.log");
            Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", classpath(),
                    S3ProxyProcessMain.class.getName(), "--properties", properties.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            LocalS3Server server = new LocalS3Server(process, port, dataDir);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the value of {@code fs.s3a.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The Hadoop s3a settings of a client of the server at {@code endpoint}: path-style requests over plain HTTP,
     * with this server's static credentials.
     */
    public static java.util.Map<String, String> s3aSettings(String endpoint) {
        return java.util.Map.of("fs.s3a.endpoint", endpoint, "fs.s3a.path.style.access", "true",
                "fs.s3a.endpoint.region", "us-east-1", "fs.s3a.access.key", ACCESS_KEY,
                "fs.s3a.secret.key", SECRET_KEY, "fs.s3a.connection.ssl.enabled", "false",
                "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    }

    /** {@link #s3aSettings(String)} for this server. */
    public java.util.Map<String, String> s3aSettings() {
        return s3aSettings(endpoint());
    }

    /** Where the server keeps buckets ({@code buckets/<bucket>/<key>}, files of the file-system backend) and its log. */
    public Path dataDir() {
        return dataDir;
    }

    /** Creates a bucket (a directory of the file-system backend). */
    public void createBucket(String name) {
        try {
            Files.createDirectories(dataDir.resolve("buckets").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the child exits on end-of-file either way
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited at start: " + Files.readString(log));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL()
                        .openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(1000);
                connection.getResponseCode(); // any HTTP answer (403 without a signature) means it serves
                connection.disconnect();
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting s3proxy", e);
                }
            }
        }
        close();
        throw new IllegalStateException("s3proxy did not answer within " + START_TIMEOUT.toSeconds() + " s: "
                + Files.readString(log));
    }

    private static String classpath() {
        try (InputStream in = LocalS3Server.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + CLASSPATH_RESOURCE + " is missing: local-s3 was not "
                        + "built by Maven (run `mvn -pl local-s3 -am install`)");
            }
            String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            String self = Path.of(LocalS3Server.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            return self + File.pathSeparator + jars;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}
