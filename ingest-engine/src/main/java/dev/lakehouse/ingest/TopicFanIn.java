package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.table.LakeTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer and one poll thread for the topics of many tables, a table per topic ({@link FanInTable}): what a
 * pipeline with a {@code {topic}} table location runs, so that hundreds of topics cost one group member, one
 * consumer's buffers and two threads, not a consumer and a thread per topic. Parquet encoding and commits run on the
 * process's {@link WriterPool}.
 *
 * <p><strong>Guarantees.</strong> Per table, as an {@link IngestPipeline}: each batch's rows and the offsets of its
 * partitions are one Delta commit; on every assignment a table's partitions are positioned at the offsets its table
 * holds. A table added while running (a new topic) is subscribed at the loop's next round; a table retired (a deleted
 * topic) commits what it holds and is unsubscribed. The consumer is one static group member under the pipeline's
 * name and instance id, so tables coming and going never leave a departed member for the group to wait out.
 *
 * <p><strong>Failures.</strong> A table's failure stays in that table ({@link FanInTable}). A failure of the
 * consumer itself (the broker refusing the member, a rebalance error) ends the run: every table drops its
 * uncommitted work and the run starts again from the tables' offsets after a backoff (1 s doubling to 1 min), or,
 * when the failure is not transient, every table stops in {@link PipelineState#FAILED}.
 *
 * <p>In a catch-up run ({@link PipelineSettings#catchUpOnly()}) the loop ends when every table that has not failed
 * has read its partitions to the end offsets they had when assigned.
 */
public final class TopicFanIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFanIn.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final PipelineSettings settings;
    /** The tables by topic, in the order they were added. */
    private final Map<String, FanInTable> tables = new ConcurrentHashMap<>();
    private final List<ConsumerListener> consumerListeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CatchUpTargets catchUp;
    private volatile boolean stopRequested;
    private volatile boolean membersChanged;
    private volatile Consumer<?, ?> liveConsumer;
    private Thread thread;

    /**
     * @param settings the consumer's side of the pipeline: name (its group member is named after it), instance id,
     *                 servers, group, consumer properties, whether this is a catch-up run; its topics are not used
     *                 (each table brings its own)
     */
    public TopicFanIn(PipelineSettings settings) {
        this.settings = settings;
        this.catchUp = settings.source().catchUpOnly() ? new CatchUpTargets() : null;
    }

    /** The pipeline's name. */
    public String name() {
        return settings.name();
    }

    /**
     * Adds a table for one topic; it is read once {@link FanInTable#start()} is called (and this fan-in started).
     *
     * @param tableSettings the table's pipeline settings: its name, its one topic, trigger, keys and policies
     * @throws IllegalArgumentException if the settings name no single topic, or the topic has a table already
     */
    public FanInTable addTable(PipelineSettings tableSettings, LakeTable table, RecordDecoder decoder,
                               DeadLetterDestination deadLetters) {
        FanInTable added = new FanInTable(this, tableSettings, table, decoder, deadLetters);
        if (tables.putIfAbsent(added.topic(), added) != null) {
            throw new IllegalArgumentException("pipeline " + settings.name() + " already has a table for topic "
                    + added.topic());
        }
        return added;
    }

    /** Tells {@code listener} about each consumer the fan-in creates (one per run), for its client meters. */
    public void addConsumerListener(ConsumerListener listener) {
        consumerListeners.add(listener);
    }

    /** Starts the poll thread and returns. @throws IllegalStateException if already started */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("fan-in " + settings.name() + " was already started");
        }
        thread = new Thread(this::supervise, "lakehouse-" + settings.name() + "-poll");
        thread.start();
    }

    /** Whether the poll thread runs. */
    synchronized boolean running() {
        return thread != null && terminated.getCount() > 0;
    }

    /** Asks every table to commit its open batch and the consumer to close; returns at once. */
    public void stop() {
        stopRequested = true;
        stopSignal.countDown();
        wake();
    }

    /** Waits until the poll thread ended. @return false on timeout */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        synchronized (this) {
            if (thread == null) {
                return true;
            }
        }
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops and waits up to two minutes. Idempotent. */
    @Override
    public void close() {
        stop();
        try {
            if (!awaitTermination(Duration.ofMinutes(2))) {
                LOG.warn("pipeline {} did not stop within 2 minutes", settings.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tables.values().forEach(table -> table.ended(PipelineState.STOPPED));
    }

    // ---- for the tables and the loop ----

    /**
     * A table joined or asked to leave: the loop looks at its members again at its next round, within a second. The
     * consumer is not woken for it: a wakeup lands on whatever blocking call the loop makes next, also a table's
     * seek in the middle of an assignment.
     */
    void membersChanged() {
        membersChanged = true;
    }

    /** Whether members changed since the last call, which clears it. */
    boolean takeMembersChanged() {
        boolean changed = membersChanged;
        membersChanged = false;
        return changed;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** The tables, in no particular order. */
    List<FanInTable> tables() {
        return List.copyOf(tables.values());
    }

    /** Forgets a retired table: its topic may get a new table later. */
    void forget(FanInTable table) {
        tables.remove(table.topic(), table);
    }

    CatchUpTargets catchUp() {
        return catchUp;
    }

    PipelineSettings settings() {
        return settings;
    }

    /** Waits up to {@code millis} unless a stop is requested meanwhile. */
    void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void consumerOpened(Consumer<?, ?> consumer) {
        liveConsumer = consumer;
        for (ConsumerListener listener : consumerListeners) {
            try {
                listener.opened(consumer);
            } catch (RuntimeException e) {
                LOG.warn("pipeline {}: a consumer listener threw", settings.name(), e);
            }
        }
    }

    void consumerClosing(Consumer<?, ?> consumer) {
        liveConsumer = null;
        for (ConsumerListener listener : consumerListeners) {
            try {
                listener.closing(consumer);
            } catch (RuntimeException e) {
                LOG.warn("pipeline {}: a consumer listener threw", settings.name(), e);
            }
        }
    }

    /** An idle poll waits up to a second: a stop is seen now. */
    private void wake() {
        Consumer<?, ?> consumer = liveConsumer;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        PipelineState end = PipelineState.STOPPED;
        try {
            while (!stopRequested) {
                long committedBefore = committedBatches();
                try {
                    new FanInRun(this).run();
                    break;
                } catch (Exception | Error e) {
                    if (stopRequested) {
                        LOG.info("pipeline {}: run ended while stopping: {}", settings.name(), e.toString());
                        break;
                    }
                    String error = e.getMessage() != null ? e.getMessage() : e.toString();
                    if (!FailureClassifier.isTransient(e)) {
                        LOG.error("pipeline {} failed: {}", settings.name(), error, e);
                        for (FanInTable table : tables.values()) {
                            table.board().error(error);
                            table.board().state(PipelineState.FAILED);
                        }
                        end = PipelineState.FAILED;
                        return;
                    }
                    if (committedBatches() > committedBefore) {
                        backoff = FIRST_BACKOFF; // the last run made progress: this is a new outage
                    }
                    for (FanInTable table : tables.values()) {
                        if (table.board().state() != PipelineState.FAILED) {
                            table.board().error(error);
                            table.board().state(PipelineState.RETRYING);
                        }
                    }
                    LOG.warn("pipeline {}: {}; restarting every table from its offsets in {} s", settings.name(),
                            error, backoff.toSeconds(), e);
                    pause(backoff.toMillis());
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF
                            : backoff.multipliedBy(2);
                }
            }
        } finally {
            for (FanInTable table : tables.values()) {
                table.ended(end);
            }
            LOG.info("pipeline {} stopped", settings.name());
            terminated.countDown();
        }
    }

    private long committedBatches() {
        return tables.values().stream().mapToLong(t -> t.board().batchesCommitted()).sum();
    }
}
