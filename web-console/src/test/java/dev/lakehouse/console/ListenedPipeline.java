package dev.lakehouse.console;

import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchOutcome;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.ingest.status.VisibilityHistogram;
import dev.lakehouse.table.LakeTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A pipeline for the console's tests: the test reports its commits to the console's listeners and sets what its
 * visibility histogram says.
 */
final class ListenedPipeline implements PipelineView {
    final String name;
    final LakeTable table;
    final List<Consumer<BatchProgress>> listeners = new ArrayList<>();
    /** What {@link #visibility()} answers. */
    VisibilityHistogram.Snapshot visibility = new VisibilityHistogram().snapshot();

    ListenedPipeline(LakeTable table) {
        this("orders", table);
    }

    ListenedPipeline(String name, LakeTable table) {
        this.name = name;
        this.table = table;
    }

    void committed() {
        BatchProgress progress = new BatchProgress("orders", "i1", 0, "2026-01-01T00:00:00Z",
                BatchOutcome.COMMITTED, 1, 1, 10, 1, 1, new BatchProgress.PhaseDurations(1, 1, 1, 3), List.of(),
                1, 100, 0, Map.of(), null);
        listeners.forEach(listener -> listener.accept(progress));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public VisibilityHistogram.Snapshot visibility() {
        return visibility;
    }

    @Override
    public PipelineStatus status() {
        return new PipelineStatus(name, PipelineState.RUNNING, null, 1, 0, null, List.of());
    }

    @Override
    public List<BatchProgress> recentProgress() {
        return List.of();
    }

    @Override
    public LakeTable table() {
        return table;
    }

    @Override
    public String deadLetterDestination() {
        return null;
    }

    @Override
    public boolean isPaused() {
        return false;
    }

    @Override
    public void pause() {
    }

    @Override
    public void resume() {
    }

    @Override
    public void addProgressListener(Consumer<BatchProgress> listener) {
        listeners.add(listener);
    }

    @Override
    public void addConsumerListener(ConsumerListener listener) {
    }
}
