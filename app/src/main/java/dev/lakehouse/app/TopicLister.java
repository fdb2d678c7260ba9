package dev.lakehouse.app;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The names of the topics a Kafka cluster has, internal topics left out. */
interface TopicLister extends AutoCloseable {

    /**
     * The cluster's topics now.
     *
     * @throws IllegalStateException if the cluster did not answer (a transient failure: ask again later)
     */
    Set<String> topics();

    @Override
    default void close() {
    }

    /** A lister of no topics, for pipelines that list their topics themselves. */
    static TopicLister empty() {
        return Set::of;
    }

    /**
     * A lister over an admin client of the cluster.
     *
     * @param client the client settings: {@code bootstrap.servers} and the security settings of the consumers
     */
    static TopicLister kafka(Map<String, Object> client) {
        Map<String, Object> settings = new java.util.HashMap<>(client);
        settings.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        settings.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        Admin admin = Admin.create(settings);
        return new TopicLister() {
            @Override
            public Set<String> topics() {
                try {
                    return admin.listTopics().names().get(45, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while listing the topics of "
                            + client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), e);
                } catch (ExecutionException | TimeoutException e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    throw new IllegalStateException("cannot list the topics of "
                            + client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + cause, cause);
                }
            }

            @Override
            public void close() {
                admin.close(java.time.Duration.ofSeconds(5));
            }
        };
    }
}
