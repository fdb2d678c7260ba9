package dev.lakehouse.registry.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A Schema Registry speaking Confluent's REST API, for tests and the demo.
 *
 * <p>What it implements: schemas by id (and their subjects and versions), subjects and versions (register,
 * look up, get, list, soft and permanent delete), compatibility tests against one version or per the subject's
 * level, global and per-subject compatibility configuration with all seven of Confluent's levels (checked with
 * Avro's own compatibility rules), HTTP basic authentication and TLS. Answers use Confluent's paths, status
 * codes, error codes and media type {@code application/vnd.schemaregistry.v1+json}.
 *
 * <p>What it does not: schema types other than Avro, schema references, modes other than READWRITE, contexts,
 * and replication. The registry lives in memory, optionally backed by a JSON file written atomically on every
 * change (the demo uses that so a restart keeps schema ids stable).
 *
 * <p>Thread-safe; {@link #close()} stops it and is idempotent.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private final HttpServer http;
    private final ExecutorService executor;
    private final String url;

    private SchemaRegistryServer(HttpServer http, ExecutorService executor, String url) {
        this.http = http;
        this.executor = executor;
        this.url = url;
    }

    /** A builder for a plain-HTTP, unauthenticated, in-memory registry on a free loopback port. */
    public static Builder builder() {
        return new Builder();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}, to give to clients. */
    public String url() {
        return url;
    }

    /** Stops accepting requests and waits at most one second for those in flight. */
    @Override
    public void close() {
        http.stop(1);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "SchemaRegistryServer[" + url + "]";
    }

    /** Configures and starts a {@link SchemaRegistryServer}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private CompatibilityPolicy defaultLevel = CompatibilityPolicy.BACKWARD;
        private final Map<String, String> users = new LinkedHashMap<>();
        private Path keyStore;
        private char[] keyStorePassword;
        private Path storeFile;

        private Builder() {
        }

        /** Address to bind; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port to bind; default 0 (a free one, see {@link SchemaRegistryServer#url()}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The global compatibility level until changed through {@code PUT /config}; default BACKWARD. */
        public Builder defaultCompatibility(CompatibilityPolicy level) {
            this.defaultLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Requires HTTP basic authentication; every call adds one allowed user. */
        public Builder basicAuthUser(String user, String password) {
            users.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /** Serves HTTPS with the key and certificate in this PKCS12 key store. */
        public Builder tls(Path pkcs12KeyStore, char[] password) {
            this.keyStore = Objects.requireNonNull(pkcs12KeyStore, "pkcs12KeyStore");
            this.keyStorePassword = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /** Keeps the registry in this JSON file (loaded at start, rewritten on every change). */
        public Builder storeFile(Path file) {
            this.storeFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws UncheckedIOException if the port cannot be bound or the key store cannot be read
         * @throws IllegalStateException if the store file exists but cannot be parsed
         */
        public SchemaRegistryServer start() {
            SchemaStore store = new SchemaStore(defaultLevel, storeFile);
            try {
                InetSocketAddress address = new InetSocketAddress(host, port);
                HttpServer server;
                String scheme;
                if (keyStore != null) {
                    HttpsServer https = HttpsServer.create(address, 64);
                    https.setHttpsConfigurator(new HttpsConfigurator(sslContext()));
                    server = https;
                    scheme = "https";
                } else {
                    server = HttpServer.create(address, 64);
                    scheme = "http";
                }
                server.createContext("/", new RegistryHttpHandler(store, users));
                ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "schema-registry-http");
                    t.setDaemon(true);
                    return t;
                });
                server.setExecutor(executor);
                server.start();
                String url = scheme + "://" + host + ":" + server.getAddress().getPort();
                return new SchemaRegistryServer(server, executor, url);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the schema registry on " + host + ":" + port, e);
            }
        }

        private SSLContext sslContext() throws IOException {
            try (InputStream in = Files.newInputStream(keyStore)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, keyStorePassword);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, keyStorePassword);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use key store " + keyStore + ": " + e.getMessage(), e);
            }
        }
    }
}
