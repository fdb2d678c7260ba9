package dev.lakehouse.ingest;

import dev.lakehouse.ingest.FanInMembers.Member;
import dev.lakehouse.ingest.settings.PipelineSettings;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a catch-up run of a {@link TopicFanIn} is done: every table that has not failed read its assigned partitions
 * to their end offsets, or the group has given the run no partition for {@link PollLoop#CATCH_UP_SETTLE} since it
 * joined, or every table failed. Topics deleted while the run read them are not waited for. Poll thread only.
 */
final class FanInCatchUpEnd {

    private static final Logger LOG = LoggerFactory.getLogger(FanInCatchUpEnd.class);

    private final PipelineSettings settings;
    private final CatchUpTargets catchUp;
    private final FanInMembers members;
    private long unassignedSinceMillis = -1;
    private long lastDeletionCheckMillis;
    private Set<String> deletedTopics = Set.of();

    FanInCatchUpEnd(PipelineSettings settings, CatchUpTargets catchUp, FanInMembers members) {
        this.settings = settings;
        this.catchUp = catchUp;
        this.members = members;
    }

    /**
     * Whether the run is done (never for a run that is not a catch-up run, nor before the group's first assignment).
     *
     * @param lastRecordsMillis when the run last polled records, to ask for deleted topics only after a quiet while
     */
    boolean reached(Consumer<byte[], byte[]> consumer, boolean joined, long lastRecordsMillis) {
        if (catchUp == null || !joined || members.isEmpty()) {
            return false;
        }
        if (members.all().stream().allMatch(m -> m.failed)) {
            LOG.info("pipeline {}: catch-up run: every table failed; stopping", settings.name());
            return true;
        }
        if (consumer.assignment().isEmpty()) {
            long now = settings.services().clock().millis();
            if (unassignedSinceMillis < 0) {
                unassignedSinceMillis = now;
            } else if (now - unassignedSinceMillis >= PollLoop.CATCH_UP_SETTLE.toMillis()) {
                LOG.info("pipeline {}: catch-up run: the group {} has given this instance no partition for {} s "
                        + "since it joined (other members own them, or the topics are gone); nothing to do, stopping",
                        settings.name(), settings.source().groupId(), PollLoop.CATCH_UP_SETTLE.toSeconds());
                return true;
            }
            return false;
        }
        unassignedSinceMillis = -1;
        checkDeletedTopics(consumer, lastRecordsMillis);
        boolean reached = catchUp.reached(consumer, partition -> {
            Member member = members.get(partition.topic());
            return member != null && !member.failed && !deletedTopics.contains(partition.topic());
        });
        if (reached) {
            LOG.info("pipeline {}: catch-up run read every assigned partition of its {} tables to its end offset; "
                    + "committing and stopping", settings.name(), members.size());
        }
        return reached;
    }

    /**
     * After a quiet while, asks the cluster which of the tables' topics are gone: their partitions are not waited
     * for (the group takes tens of seconds to notice a deleted topic).
     */
    private void checkDeletedTopics(Consumer<byte[], byte[]> consumer, long lastRecordsMillis) {
        long now = settings.services().clock().millis();
        long quietFor = PollLoop.CATCH_UP_SETTLE.toMillis() / 5;
        if (now - lastRecordsMillis < quietFor || now - lastDeletionCheckMillis < quietFor) {
            return;
        }
        lastDeletionCheckMillis = now;
        try {
            Set<String> existing = consumer.listTopics(Duration.ofSeconds(5)).keySet();
            Set<String> gone = new TreeSet<>(members.topics());
            gone.removeAll(existing);
            if (!gone.isEmpty() && !gone.equals(deletedTopics)) {
                LOG.info("pipeline {}: catch-up run: topics {} were deleted while it read them, so records it had "
                        + "not ingested were deleted with them; not waiting for them", settings.name(), gone);
            }
            deletedTopics = gone;
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: topics not listed: {}", settings.name(), e.toString());
        }
    }
}
