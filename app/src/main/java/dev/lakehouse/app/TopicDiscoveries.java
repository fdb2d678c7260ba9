package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topic discovery of every table-per-topic pipeline of an appliance: one round for all at start, then each
 * template's rounds at its {@code source.topic-discovery-interval} on one daemon thread. A round whose listing fails
 * is tried again at the next; a stopping appliance runs none.
 */
final class TopicDiscoveries implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicDiscoveries.class);

    private final List<TopicDiscovery> discoveries = new ArrayList<>();
    private final List<PipelineConfig> templates = new ArrayList<>();
    private final List<TopicLister> listers = new ArrayList<>();
    private final BooleanSupplier stopped;
    private ScheduledExecutorService thread;

    /** @param stopped whether the appliance is stopping: no round runs then */
    TopicDiscoveries(BooleanSupplier stopped) {
        this.stopped = stopped;
    }

    /** A template's discovery; {@code lister} is closed with this. */
    void add(PipelineConfig template, TopicDiscovery discovery, TopicLister lister) {
        discoveries.add(discovery);
        templates.add(template);
        listers.add(lister);
    }

    List<TopicDiscovery> all() {
        return List.copyOf(discoveries);
    }

    /**
     * One round of every template's discovery.
     *
     * @param failOnListing whether a failed listing is thrown (a catch-up run) rather than tried again later
     */
    void discoverAll(boolean failOnListing) {
        discoveries.forEach(discovery -> discover(discovery, failOnListing));
    }

    /** Starts each template's rounds at its interval. */
    void schedule() {
        if (discoveries.isEmpty()) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lakehouse-topic-discovery");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < discoveries.size(); i++) {
            TopicDiscovery discovery = discoveries.get(i);
            long every = templates.get(i).source().topicDiscoveryInterval().toMillis();
            thread.scheduleWithFixedDelay(() -> discover(discovery, false), every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Ends the scheduled rounds; a round under way finishes. */
    void stop() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    private void discover(TopicDiscovery discovery, boolean failOnListing) {
        if (stopped.getAsBoolean()) {
            return;
        }
        try {
            List<String> found = discovery.discover();
            if (discovery.topics().isEmpty() && found.isEmpty()) {
                LOG.warn("pipeline {}: no topic matches yet", discovery.pipeline());
            }
        } catch (RuntimeException e) {
            if (failOnListing) {
                throw e;
            }
            LOG.warn("pipeline {}: topic discovery failed, trying again at the next round: {}", discovery.pipeline(),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        stop();
        listers.forEach(TopicLister::close);
    }
}
