package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.table.LakeTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of the topics one discovery round found, opened side by side before their pipelines are made one at a
 * time: opening a table reads its log and checks its protocol, milliseconds to tens of milliseconds each (more on
 * object storage), which the first round over hundreds of topics otherwise waited for in turn. A table that was not
 * opened ahead (its opening failed, or it was not in the round) is opened where it is needed, as before, so a failure
 * here changes nothing but the time; what was opened ahead and not taken is dropped with {@link #clear()}.
 */
final class TablesOpenedAhead {

    private static final Logger LOG = LoggerFactory.getLogger(TablesOpenedAhead.class);
    /** How long a round may open tables ahead; the rest are opened one at a time afterwards. */
    private static final Duration ROUND_DEADLINE = Duration.ofMinutes(2);

    private final Function<PipelineConfig, LakeTable> openTable;
    private final Function<PipelineConfig, LakeTable> openDeadLetterTable;
    private final int threads;
    private final Map<String, LakeTable> opened = new ConcurrentHashMap<>();

    /**
     * @param openTable opens a pipeline's table
     * @param openDeadLetterTable opens a pipeline's dead-letter table, or gives null when it has none
     * @param threads how many tables are opened at once
     */
    TablesOpenedAhead(Function<PipelineConfig, LakeTable> openTable,
                      Function<PipelineConfig, LakeTable> openDeadLetterTable, int threads) {
        this.openTable = openTable;
        this.openDeadLetterTable = openDeadLetterTable;
        this.threads = threads;
    }

    /** Opens the tables and dead-letter tables of these pipelines, {@code threads} at a time; returns when done. */
    void open(List<PipelineConfig> pipelines) {
        if (pipelines.size() < 2) {
            return; // nothing to gain
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, pipelines.size()), r -> {
            Thread thread = new Thread(r, "lakehouse-table-open");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (PipelineConfig pipeline : pipelines) {
                pool.execute(() -> openBoth(pipeline));
            }
            pool.shutdown();
            if (!pool.awaitTermination(ROUND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("opening {} tables ahead took over {} s; the rest are opened one at a time",
                        pipelines.size(), ROUND_DEADLINE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }

    private void openBoth(PipelineConfig pipeline) {
        try {
            opened.put(pipeline.table().location(), openTable.apply(pipeline));
            LakeTable deadLetters = openDeadLetterTable.apply(pipeline);
            if (deadLetters != null) {
                opened.put(pipeline.deadLetters().tableLocation(), deadLetters);
            }
        } catch (RuntimeException e) {
            // Opened again where it is needed, which reports the failure where it is handled.
            LOG.debug("pipeline {}: table not opened ahead: {}", pipeline.name(), e.toString());
        }
    }

    /** The table opened ahead at {@code location} (given once), or {@code orOpen}'s. */
    LakeTable take(String location, Supplier<LakeTable> orOpen) {
        LakeTable ahead = opened.remove(location);
        return ahead != null ? ahead : orOpen.get();
    }

    /** Drops what was opened ahead and not taken. */
    void clear() {
        opened.clear();
    }
}
