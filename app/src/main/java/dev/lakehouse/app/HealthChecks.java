package dev.lakehouse.app;

import dev.lakehouse.console.HealthCheck;
import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.table.LakeTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** The readiness conditions of an appliance: its broker, registry and storage reachable, its tables fresh. */
final class HealthChecks {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private HealthChecks() {
    }

    /**
     * The Kafka cluster answers a describe-cluster request within 3 s.
     *
     * @param bootstrapServers the cluster
     * @param securityProperties the client's security settings ({@code security.*}, {@code sasl.*}, {@code ssl.*})
     */
    public static KafkaReachable kafka(String bootstrapServers, Map<String, Object> securityProperties) {
        return new KafkaReachable(bootstrapServers, securityProperties);
    }

    /** The schema registry answers a request for its global compatibility level. */
    public static HealthCheck registry(String url, SchemaRegistryClient client) {
        return new HealthCheck() {
            @Override
            public String name() {
                return "schema registry " + url;
            }

            @Override
            public Result check() {
                try {
                    return Result.up("compatibility " + client.globalCompatibility());
                } catch (RuntimeException e) {
                    return Result.down(e.getMessage() != null ? e.getMessage() : e.toString());
                }
            }
        };
    }

    /** The table's storage answers: its log can be listed (a table not created yet is fine). */
    public static HealthCheck storage(String name, LakeTable table) {
        return new HealthCheck() {
            @Override
            public String name() {
                return "storage of " + name + " " + table.location();
            }

            @Override
            public Result check() {
                try {
                    return table.exists() ? Result.up("version " + table.snapshot().version())
                            : Result.up("table not created yet");
                } catch (RuntimeException e) {
                    return Result.down(e.getMessage() != null ? e.getMessage() : e.toString());
                }
            }
        };
    }

    /**
     * The pipeline has not failed, and has committed within {@code maxAge} whenever it has records to commit: a
     * pipeline with no lag is fresh however old its last commit, one that is behind must be committing. A paused
     * pipeline is ready (an operator chose it). With {@code maxFreshness} set, a pipeline with lag is also not ready
     * while its newest committed record is older than that: it commits, but too far behind its topic.
     *
     * @param maxFreshness the oldest the newest committed record may be while there is lag; null for no such rule
     */
    public static HealthCheck freshness(PipelineView pipeline, Duration maxAge, Duration maxFreshness, Clock clock) {
        return freshness(pipeline, maxAge, maxFreshness, false, clock);
    }

    /**
     * As {@link #freshness(PipelineView, Duration, Duration, Clock)}; with {@code onObjective}, a pipeline whose
     * table has a freshness objective is also not ready while the objective is breached over its window and records
     * wait that are already late (the newest committed record older than the objective's time, with lag). Once it
     * has caught up it is ready again, though the window still remembers the breach: readiness says whether the
     * pipeline keeps up now, the compliance on {@code /metrics} what it did.
     */
    public static HealthCheck freshness(PipelineView pipeline, Duration maxAge, Duration maxFreshness,
                                        boolean onObjective, Clock clock) {
        Instant createdAt = clock.instant();
        return new HealthCheck() {
            @Override
            public String name() {
                return "pipeline " + pipeline.name();
            }

            @Override
            public Result check() {
                PipelineStatus status = pipeline.status();
                if (status.state() == PipelineState.FAILED) {
                    return Result.down("failed: " + status.error());
                }
                if (status.state() == PipelineState.STOPPED || status.state() == PipelineState.STOPPING) {
                    return Result.down(status.state().name().toLowerCase());
                }
                if (status.state() == PipelineState.PAUSED) {
                    return Result.up("paused by an operator");
                }
                if (!pipeline.inGroup()) {
                    return Result.down(status.state().name().toLowerCase() + ": joining the consumer group (no "
                            + "partition assigned and positioned yet)"
                            + (status.error() != null ? "; last error: " + status.error() : ""));
                }
                Instant reference = status.lastCommit() != null ? status.lastCommit() : createdAt;
                Duration age = Duration.between(reference, clock.instant());
                if (status.totalLag() > 0 && age.compareTo(maxAge) > 0) {
                    return Result.down("lag " + status.totalLag() + " records and no commit for " + age.toSeconds()
                            + " s (limit " + maxAge.toSeconds() + " s)"
                            + (status.error() != null ? "; last error: " + status.error() : ""));
                }
                Duration freshness = status.freshness(clock.instant());
                if (maxFreshness != null && status.totalLag() > 0 && freshness != null
                        && freshness.compareTo(maxFreshness) > 0) {
                    return Result.down("lag " + status.totalLag() + " records and the newest committed record is "
                            + freshness.toSeconds() + " s old (limit " + maxFreshness.toSeconds() + " s)");
                }
                FreshnessCompliance objective = status.freshnessObjective();
                if (onObjective && objective != null && !objective.met() && objective.pendingLate() > 0) {
                    return Result.down(String.format(Locale.ROOT, "freshness objective %s breached: %.2f %% of %d "
                            + "records in time over the last %s, and %d records wait past its time",
                            objective.objective().describe(), objective.ratio() * 100, objective.records(),
                            window(objective.objective().window()), objective.pendingLate()));
                }
                return Result.up(status.state().name().toLowerCase() + ", lag " + status.totalLag()
                        + (freshness == null ? "" : ", freshness " + freshness.toSeconds() + " s"));
            }
        };
    }

    private static String window(Duration window) {
        long seconds = window.toSeconds();
        return seconds % 3600 == 0 ? seconds / 3600 + " h" : seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }

    /**
     * The table's writer lease is being renewed. Down while renewals fail (storage unreachable): writes wait for the
     * storage and resume by themselves once it answers, unless another owner took the lease meanwhile.
     */
    static HealthCheck writerLease(dev.lakehouse.table.storage.WriterLease lease) {
        return new HealthCheck() {
            @Override
            public String name() {
                return "writer lease of " + lease.tableLocation();
            }

            @Override
            public Result check() {
                return lease.renewalFailure().map(Result::down)
                        .orElseGet(() -> lease.isValid() ? Result.up("held by '" + lease.owner() + "'")
                                : Result.down("not valid: not renewed within its time to live"));
            }
        };
    }

    /** Keeps one admin client for the appliance's life; {@link #close()} it with the console. */
    public static final class KafkaReachable implements HealthCheck, AutoCloseable {

        private final String bootstrapServers;
        private final Admin admin;

        private KafkaReachable(String bootstrapServers, Map<String, Object> securityProperties) {
            this.bootstrapServers = bootstrapServers;
            Map<String, Object> config = new HashMap<>(securityProperties);
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "lakehouse-health");
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            this.admin = Admin.create(config);
        }

        @Override
        public String name() {
            return "kafka " + bootstrapServers;
        }

        @Override
        public Result check() {
            try {
                int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                        .nodes().get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).size();
                return Result.up(brokers + " broker(s)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.down("interrupted");
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return Result.down(cause.getMessage() != null ? cause.getMessage() : cause.toString());
            }
        }

        @Override
        public void close() {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
