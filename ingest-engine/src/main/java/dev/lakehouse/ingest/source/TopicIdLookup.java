package dev.lakehouse.ingest.source;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The Kafka topic ids of topic names: a topic deleted and created again under its name has a new id, which is how
 * the pipeline tells it from the topic the table's offsets belong to. Production asks the cluster
 * ({@link #kafka}); unit tests hand in a map.
 */
@FunctionalInterface
public interface TopicIdLookup {

    /**
     * The current id of each topic that exists.
     *
     * @throws RuntimeException if the cluster cannot be asked now (transient)
     */
    Map<String, String> topicIds(Collection<String> topics);

    /** Knows no ids: the recreated-topic check is off (for tests of other things). */
    static TopicIdLookup none() {
        return topics -> Map.of();
    }

    /** Asks the cluster with an admin client of these client properties (bootstrap servers and security). */
    static TopicIdLookup kafka(Map<String, Object> clientProperties) {
        return topics -> {
            Map<String, Object> config = new HashMap<>();
            clientProperties.forEach((key, value) -> {
                if (AdminClientConfig.configNames().contains(key)) {
                    config.put(key, value);
                }
            });
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "lakehouse-topic-ids");
            try (Admin admin = Admin.create(config)) {
                Map<String, String> ids = new HashMap<>();
                Map<String, TopicDescription> found = admin.describeTopics(topics).allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                found.forEach((name, description) -> ids.put(name, description.topicId().toString()));
                return ids;
            } catch (ExecutionException e) {
                throw new TimeoutException("cannot read the ids of topics " + topics + ": " + e.getCause(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new TimeoutException("cannot read the ids of topics " + topics + " within 30 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted while reading topic ids", e);
            }
        };
    }
}
