package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.storage.InstanceLock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live process per pipeline identity. A pipeline with a fixed {@code instance-id} is a static Kafka group
 * member and continues its batch ids across restarts, so a second live process with the same identity must never
 * run beside it: on local tables it is refused by an {@link InstanceLock} (released by the OS the moment its
 * holder dies, so a restart after {@code kill -9} takes it at once); on object stores the writer lease, owned by
 * the instance id, refuses it. Pipelines with a random instance id need neither.
 */
final class InstanceLocks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceLocks.class);

    private final List<InstanceLock> locks = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, InstanceLock> byPipeline = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Makes sure this process is the only one running {@code pipeline}'s instance.
     *
     * @throws dev.lakehouse.table.storage.InstanceIdInUseException if another live process runs it (the message names it)
     */
    void claim(PipelineConfig pipeline) {
        if (pipeline.instanceId() == null) {
            return;
        }
        String appId = BatchCommit.batchAppId(pipeline.name(), pipeline.instanceId());
        String location = pipeline.table().location();
        if (InstanceLock.supported(location)) {
            InstanceLock lock = InstanceLock.acquire(location, appId, InstanceLock.thisProcess());
            locks.add(lock);
            byPipeline.put(pipeline.name(), lock);
        } else if (!pipeline.table().leased()) {
            LOG.warn("pipeline {}: {} is neither on local disk nor behind a writer lease, so a second process with "
                    + "instance-id '{}' would not be refused; make sure only one runs", pipeline.name(), location,
                    pipeline.instanceId());
        }
        // Leased tables: the writer lease, owned by the instance id, refuses a second live process.
    }

    /** Releases a pipeline's lock (its topic was deleted and its pipeline stopped); nothing if it holds none. */
    void release(String pipeline) {
        InstanceLock lock = byPipeline.remove(pipeline);
        if (lock != null) {
            locks.remove(lock);
            lock.close();
        }
    }

    /** Releases every lock. */
    @Override
    public void close() {
        locks.forEach(InstanceLock::close);
        locks.clear();
        byPipeline.clear();
    }
}
