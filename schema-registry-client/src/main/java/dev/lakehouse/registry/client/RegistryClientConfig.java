package dev.lakehouse.registry.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link SchemaRegistryClient}. Immutable; build with {@link #builder(String)}.
 *
 * <p>Defaults: connect timeout 5 s, read timeout 10 s, 3 retries from 200 ms doubling up to 5 s (retries only on
 * connection errors, timeouts and 5xx answers), subject cache of 1,000 entries, no authentication, the JVM's
 * default trust store.
 */
public final class RegistryClientConfig {

    private final List<URI> urls;
    private final String userInfo;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final String trustStoreType;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int subjectCacheCapacity;

    private RegistryClientConfig(Builder b) {
        this.urls = List.copyOf(b.urls);
        this.userInfo = b.userInfo;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.trustStoreType = b.trustStoreType;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.subjectCacheCapacity = b.subjectCacheCapacity;
    }

    /**
     * @param urls one URL, or several separated by commas (tried in turn when one is unreachable)
     * @throws IllegalArgumentException if a URL is not an absolute http or https URL
     */
    public static Builder builder(String urls) {
        return new Builder(urls);
    }

    public List<URI> urls() {
        return urls;
    }

    /** {@code user:password} for HTTP basic authentication, if configured. */
    public Optional<String> userInfo() {
        return Optional.ofNullable(userInfo);
    }

    public Optional<Path> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    char[] trustStorePassword() {
        return trustStorePassword;
    }

    public String trustStoreType() {
        return trustStoreType;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public int subjectCacheCapacity() {
        return subjectCacheCapacity;
    }

    /** Never shows the password of the user-info or of the trust store. */
    @Override
    public String toString() {
        return "RegistryClientConfig[urls=" + urls + ", userInfo=" + (userInfo == null ? "none"
                : userInfo.substring(0, Math.max(0, userInfo.indexOf(':'))) + ":****")
                + ", trustStore=" + trustStore + ", connectTimeout=" + connectTimeout + ", readTimeout="
                + readTimeout + ", maxRetries=" + maxRetries + "]";
    }

    /** Builder of {@link RegistryClientConfig}. */
    public static final class Builder {
        private final List<URI> urls = new ArrayList<>();
        private String userInfo;
        private Path trustStore;
        private char[] trustStorePassword;
        private String trustStoreType = "PKCS12";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(10);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private int subjectCacheCapacity = 1_000;

        private Builder(String urlList) {
            Objects.requireNonNull(urlList, "urls");
            for (String raw : urlList.split(",")) {
                String text = raw.trim();
                if (text.isEmpty()) {
                    continue;
                }
                URI uri;
                try {
                    uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("schema registry URL '" + text + "' is not a valid URL: "
                            + e.getMessage(), e);
                }
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("schema registry URL '" + text
                            + "' must be an absolute http:// or https:// URL, e.g. http://localhost:8081");
                }
                urls.add(uri);
            }
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no schema registry URL given: set at least one, e.g. "
                        + "http://localhost:8081");
            }
        }

        /** HTTP basic authentication as {@code user:password} (Confluent's {@code basic.auth.user.info}). */
        public Builder userInfo(String userInfo) {
            if (userInfo != null && !userInfo.contains(":")) {
                throw new IllegalArgumentException("registry user-info must have the form user:password");
            }
            this.userInfo = userInfo;
            return this;
        }

        /** Trust store holding the registry's CA certificate, for https URLs. Type defaults to PKCS12. */
        public Builder trustStore(Path path, char[] password, String type) {
            this.trustStore = Objects.requireNonNull(path, "path");
            this.trustStorePassword = password == null ? null : password.clone();
            this.trustStoreType = type == null ? "PKCS12" : type;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "read timeout");
            return this;
        }

        /** Retries after the first attempt, on connection errors, timeouts and 5xx only. 0 disables retries. */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("registry max retries must be >= 0, got " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** Backoff before the first retry, doubled per retry up to {@code max}. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial, "initial");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        /** Entries of the subject lookup and registration cache (the id cache is unbounded). */
        public Builder subjectCacheCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("registry subject cache capacity must be >= 1");
            }
            this.subjectCacheCapacity = capacity;
            return this;
        }

        public RegistryClientConfig build() {
            return new RegistryClientConfig(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("registry " + what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
