package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.ingest.status.FreshnessObjective;
import dev.lakehouse.ingest.status.FreshnessTracker;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.VisibilityHistogram;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one table's pipeline reports about itself: its state and error, what it committed, its lag, its latest
 * batches, whether it is in its group; and the listeners told about each batch and each consumer. Kept current by
 * the poll thread (as the run's {@link PollLoop.Observer}) and by the writer (each batch's progress), read by any
 * thread (console, metrics, health checks).
 */
final class StatusBoard implements PollLoop.Observer {

    private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);
    private static final Logger PROGRESS = LoggerFactory.getLogger("dev.lakehouse.progress");

    private final String name;
    private final int history;
    private final List<Consumer<BatchProgress>> listeners = new CopyOnWriteArrayList<>();
    private final List<ConsumerListener> consumerListeners = new CopyOnWriteArrayList<>();
    private final Deque<BatchProgress> recent = new ArrayDeque<>();
    private final AtomicLong batchesCommitted = new AtomicLong();
    private final AtomicLong recordsCommitted = new AtomicLong();

    private volatile PipelineState state = PipelineState.NEW;
    private volatile String error;
    /** Whether the current run's consumer has joined its group with its partitions positioned. */
    private volatile boolean inGroup;
    /** Whether the running loop has paused: its open batch is committed and it reads nothing. */
    private volatile boolean pausedNow;
    private volatile List<PartitionLag> lags = List.of();
    private volatile Instant lastCommit;
    /** The largest record time committed (Kafka timestamp or event time), or null. */
    private volatile Instant newestCommittedRecord;

    private final FreshnessTracker freshness;
    private final VisibilityHistogram visibility = new VisibilityHistogram();
    private final java.time.Clock clock;

    /**
     * @param history the batch progress records kept ({@link PipelineSettings#progressHistory()})
     * @param objective the table's freshness objective, judged per committed batch; null for none
     * @param clock when "now" is, for the objective's window
     */
    StatusBoard(String name, int history, FreshnessObjective objective, java.time.Clock clock) {
        this.name = name;
        this.history = history;
        this.freshness = objective == null ? null : new FreshnessTracker(objective);
        this.clock = clock;
    }

    /** How long the records committed since start took to become visible. */
    VisibilityHistogram.Snapshot visibility() {
        return visibility.snapshot();
    }

    /** The table's compliance with its freshness objective now; null without an objective. */
    FreshnessCompliance freshnessCompliance() {
        if (freshness == null) {
            return null;
        }
        Instant newest = newestCommittedRecord;
        return freshness.compliance(clock.millis(), newest == null ? -1 : newest.toEpochMilli(),
                PartitionLag.total(lags));
    }

    PipelineState state() {
        return state;
    }

    void state(PipelineState next) {
        state = next;
    }

    /** Sets the error shown with the state; null clears it. */
    void error(String message) {
        error = message;
    }

    boolean inGroup() {
        return inGroup;
    }

    long batchesCommitted() {
        return batchesCommitted.get();
    }

    /** The status as of now; RUNNING shows as PAUSED while a requested pause holds. */
    PipelineStatus status(boolean pauseRequested) {
        PipelineState current = state;
        if (pauseRequested && pausedNow && current == PipelineState.RUNNING) {
            current = PipelineState.PAUSED;
        }
        return new PipelineStatus(name, current, error, batchesCommitted.get(), recordsCommitted.get(), lastCommit,
                lags, newestCommittedRecord, freshnessCompliance());
    }

    List<BatchProgress> recentProgress() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    void addProgressListener(Consumer<BatchProgress> listener) {
        listeners.add(listener);
    }

    void addConsumerListener(ConsumerListener listener) {
        consumerListeners.add(listener);
    }

    /** Takes a batch's progress record: logged, kept, and passed to the listeners (on the writer's thread). */
    void progress(BatchProgress progress) {
        PROGRESS.info(progress.toJson());
        synchronized (recent) {
            recent.addLast(progress);
            while (recent.size() > history) {
                recent.removeFirst();
            }
        }
        for (Consumer<BatchProgress> listener : listeners) {
            try {
                listener.accept(progress);
            } catch (RuntimeException e) {
                LOG.warn("pipeline {}: a progress listener threw", name, e);
            }
        }
    }

    @Override
    public void committed(BatchPlanner.PlannedBatch batch, BatchProgress progress) {
        batchesCommitted.incrementAndGet();
        recordsCommitted.addAndGet(batch.records());
        lastCommit = Instant.parse(progress.timestamp());
        if (freshness != null) {
            freshness.committed(lastCommit.toEpochMilli(), batch.times());
        }
        visibility.committed(lastCommit.toEpochMilli(), batch.times());
        if (batch.newestRecordTimestampMillis() >= 0) {
            Instant newest = Instant.ofEpochMilli(batch.newestRecordTimestampMillis());
            Instant known = newestCommittedRecord;
            if (known == null || newest.isAfter(known)) {
                newestCommittedRecord = newest;
            }
        }
        if (state == PipelineState.RETRYING) {
            state = PipelineState.RUNNING;
        }
        error = null;
    }

    @Override
    public void lag(List<PartitionLag> partitions) {
        lags = partitions;
    }

    @Override
    public void paused(boolean paused) {
        pausedNow = paused;
    }

    @Override
    public void joined() {
        inGroup = true;
    }

    /** Whether the table's partitions are out of the group's hands now (between runs, or the table failed). */
    void leftGroup() {
        inGroup = false;
    }

    @Override
    public void consumerOpened(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
        inGroup = false;
        for (ConsumerListener listener : consumerListeners) {
            try {
                listener.opened(consumer);
            } catch (RuntimeException e) {
                LOG.warn("pipeline {}: a consumer listener threw", name, e);
            }
        }
    }

    @Override
    public void consumerClosing(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
        inGroup = false;
        for (ConsumerListener listener : consumerListeners) {
            try {
                listener.closing(consumer);
            } catch (RuntimeException e) {
                LOG.warn("pipeline {}: a consumer listener threw", name, e);
            }
        }
    }
}
