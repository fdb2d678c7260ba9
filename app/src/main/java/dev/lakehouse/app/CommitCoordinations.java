package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.CommitCoordinationMode;
import dev.lakehouse.app.config.ApplianceConfig.TableConfig;
import dev.lakehouse.table.storage.ConditionalWrites;
import dev.lakehouse.table.TableOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how concurrent commits to an {@code s3a://} table are kept apart ({@code table.commit-coordination}):
 * with conditional puts, so several appliances may write it, or with the single-writer lease. {@code auto} probes
 * the store ({@link ConditionalWrites#supported}) and takes conditional puts only when the store refused a second
 * conditional write; {@code conditional-put} insists on them (start-up is refused on a store without them);
 * {@code lease} never uses them. Local tables are coordinated by a file lock whatever the setting.
 *
 * <p>A store answers the same for every table on it, so each store (endpoint and bucket) is probed once per
 * process. Thread-safe.
 */
final class CommitCoordinations {

    private static final Logger LOG = LoggerFactory.getLogger(CommitCoordinations.class);
    private static final CommitCoordinations SHARED = new CommitCoordinations(ConditionalWrites::supported);

    private final Predicate<TableOptions> probe;
    private final Map<String, Boolean> probedStores = new ConcurrentHashMap<>();

    /** @param probe whether a table's store honours conditional writes (the real probe, or a test's answer) */
    CommitCoordinations(Predicate<TableOptions> probe) {
        this.probe = probe;
    }

    /** The process's decisions, shared by the appliance and the commands. */
    static CommitCoordinations shared() {
        return SHARED;
    }

    /**
     * Makes {@code options} commit with conditional puts when the table's setting and its store call for them.
     *
     * @param options the table's options so far (location and Hadoop settings set)
     * @throws IllegalStateException if {@code conditional-put} is configured and the store does not honour it
     * @throws java.io.UncheckedIOException if the store cannot be probed (unreachable: try again later)
     */
    void configure(TableOptions.Builder options, String location, TableConfig table) {
        CommitCoordinationMode mode = table.commitCoordination();
        if (mode == CommitCoordinationMode.LEASE || !ConditionalWrites.probeable(location)) {
            return;
        }
        TableOptions probed = options.build();
        String store = probed.hadoopProperties().getOrDefault("fs.s3a.endpoint", "aws") + " "
                + java.net.URI.create(location).getHost();
        boolean supported = probedStores.computeIfAbsent(store, key -> {
            boolean answer = probe.test(probed);
            LOG.info("store {} {} conditional writes (If-None-Match: *)", key, answer ? "honours" : "does not honour");
            return answer;
        });
        if (supported) {
            options.conditionalPutCommits();
            LOG.info("table {}: commits coordinated by conditional puts; several appliances may write it", location);
        } else if (mode == CommitCoordinationMode.CONDITIONAL_PUT) {
            throw new IllegalStateException("table.commit-coordination of " + location + " is conditional-put, but "
                    + "its store (" + store + ") did not refuse a second write of one key with If-None-Match: *, so "
                    + "several writers would replace each other's commits. Use a store with conditional writes (AWS "
                    + "S3, MinIO since 2024, R2, s3proxy 4), or set commit-coordination to auto or lease (one writer).");
        } else {
            LOG.info("table {}: the store has no conditional writes; commits coordinated by the single-writer lease",
                    location);
        }
    }
}
