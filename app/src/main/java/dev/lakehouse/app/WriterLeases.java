package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.ingest.RunningPipeline;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitCoordination;
import dev.lakehouse.table.storage.InstanceLock;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.LeasedLakeTable;
import dev.lakehouse.table.storage.WriterLease;
import dev.lakehouse.table.storage.WriterLeaseHeldException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's writer leases: taken per table when the configuration asks for one (object stores by default),
 * renewed from the moment they are taken every third of their time to live, released on close. Losing a lease to
 * another appliance stops the pipelines; every write of a leased table is refused from then on anyway.
 */
final class WriterLeases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WriterLeases.class);
    /** Longer than two appliances' start-up skew when they race for a lease. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    /** The owner a command names in its leases; null for the appliance, whose owner is per pipeline. */
    private final String commandOwner;
    /** What a command refused beside the owning appliance should do instead; null for the appliance. */
    private final String commandAdvice;
    private final List<WriterLease> leases = new CopyOnWriteArrayList<>();
    private final List<RunningPipeline> pipelines = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, List<Held>> byPipeline = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "lakehouse-lease-renewer");
        thread.setDaemon(true);
        return thread;
    });

    /** The appliance's leases: each pipeline's owner is its instance id, or host and pid. */
    WriterLeases() {
        this(null, null);
    }

    private WriterLeases(String commandOwner, String commandAdvice) {
        this.commandOwner = commandOwner;
        this.commandAdvice = commandAdvice;
    }

    /**
     * Leases for a one-off command such as {@code compact}. Its owner is never a pipeline's instance id, so a
     * command run beside the appliance that owns the table is refused instead of taking the appliance's lease.
     *
     * @param advice what to do instead while the appliance runs, appended to the refusal
     */
    static WriterLeases forCommand(String command, String advice) {
        return new WriterLeases("lakehouse " + command + " on " + InstanceLock.thisProcess(), advice);
    }

    /**
     * The table behind its writer lease when {@code pipeline} asks for one, else the table itself.
     *
     * @throws WriterLeaseHeldException if another appliance writes the table
     */
    LakeTable leased(LakeTable table, PipelineConfig pipeline) {
        if (table.options().commitCoordination() == CommitCoordination.CONDITIONAL_PUT) {
            return instanceLeased(table, pipeline);
        }
        if (!pipeline.table().leased()) {
            return table;
        }
        WriterLease lease;
        try {
            lease = WriterLease.acquire(table.options(), commandOwner != null ? commandOwner : owner(pipeline),
                    pipeline.table().writerLeaseTtl(), SETTLE, Clock.systemUTC());
        } catch (WriterLeaseHeldException e) {
            if (commandOwner == null) {
                throw e;
            }
            throw new WriterLeaseHeldException(e.getMessage() + " While the appliance runs, "
                    + commandAdvice.replace("{pipeline}", pipeline.name()));
        }
        hold(pipeline, lease);
        LOG.info("pipeline {}: writer lease of {} taken as '{}' (ttl {})", pipeline.name(), table.location(),
                lease.owner(), lease.ttl());
        return new LeasedLakeTable(table, lease);
    }

    /**
     * A table that several appliances write with conditional puts: no writer is kept out, but one identity runs in
     * one process only, so an appliance with a fixed instance id takes the lease of its identity (a command, which
     * has no identity of its own, and an appliance with a random id need none).
     */
    private LakeTable instanceLeased(LakeTable table, PipelineConfig pipeline) {
        if (commandOwner != null || pipeline.instanceId() == null
                || pipeline.table().writerLease() == dev.lakehouse.app.config.ApplianceConfig.WriterLeaseMode.NEVER) {
            return table;
        }
        String identity = BatchCommit.batchAppId(pipeline.name(), pipeline.instanceId());
        WriterLease lease = WriterLease.acquireInstance(table.options(), identity, pipeline.table().writerLeaseTtl(),
                SETTLE, Clock.systemUTC());
        hold(pipeline, lease);
        LOG.info("pipeline {}: instance lease of {} taken as '{}' (ttl {}); other appliances may write the table",
                pipeline.name(), table.location(), identity, lease.ttl());
        return new LeasedLakeTable(table, lease);
    }

    private void hold(PipelineConfig pipeline, WriterLease lease) {
        leases.add(lease);
        long every = lease.renewInterval().toMillis();
        java.util.concurrent.ScheduledFuture<?> renewal = renewer.scheduleWithFixedDelay(() -> renew(lease), every,
                every, TimeUnit.MILLISECONDS);
        byPipeline.computeIfAbsent(pipeline.name(), k -> new CopyOnWriteArrayList<>())
                .add(new Held(lease, renewal));
    }

    /**
     * Stops renewing a pipeline's leases and gives them up (its topic was deleted), so they are neither renewed nor
     * held against another writer; the pipeline must be stopped first.
     */
    void release(String pipeline) {
        List<Held> held = byPipeline.remove(pipeline);
        if (held == null) {
            return;
        }
        for (Held h : held) {
            h.renewal().cancel(false);
            leases.remove(h.lease());
            h.lease().close();
        }
        pipelines.removeIf(p -> p.name().equals(pipeline));
    }

    /** A lease and its renewal. */
    private record Held(WriterLease lease, java.util.concurrent.ScheduledFuture<?> renewal) {
    }

    /** The leases a pipeline holds (its table's and its dead-letter table's). */
    List<WriterLease> heldBy(String pipeline) {
        return byPipeline.getOrDefault(pipeline, List.of()).stream().map(Held::lease).toList();
    }

    /** The leases taken so far. */
    List<WriterLease> held() {
        return List.copyOf(leases);
    }

    /** Pipelines to stop if a lease is lost. */
    void guard(RunningPipeline pipeline) {
        pipelines.add(pipeline);
    }

    /** Stops renewing and gives every lease up, so the next writer need not wait for them to expire. */
    @Override
    public void close() {
        renewer.shutdownNow();
        leases.forEach(WriterLease::close);
    }

    private void renew(WriterLease lease) {
        try {
            lease.renew();
        } catch (WriterLeaseHeldException e) {
            LOG.error("{}; stopping the pipelines", e.getMessage());
            pipelines.forEach(RunningPipeline::stop);
        } catch (RuntimeException e) {
            LOG.warn("cannot renew a writer lease (it stays valid until {} after the last renewal): {}", lease.ttl(),
                    e.getMessage());
        }
    }

    /**
     * The pipeline's instance id when configured (a restart takes its own lease back once the old holder's renewals
     * have stopped; a second live process with that id is refused), else host and pid.
     */
    static String owner(PipelineConfig pipeline) {
        return pipeline.instanceId() != null ? pipeline.instanceId() : InstanceLock.thisProcess();
    }
}
