package dev.lakehouse.console;

import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.ingest.status.VisibilityHistogram;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Exports each pipeline's {@link VisibilityHistogram} as the Prometheus histogram
 * {@code lakehouse_record_visibility_seconds{pipeline}}: how long committed records took from their time (Kafka
 * timestamp or event time) to being queryable. Read at each scrape; a batch was counted by time buckets when it
 * committed, which Micrometer's histograms (one observation per call) cannot take, hence a collector of its own.
 */
final class VisibilityCollector implements MultiCollector {

    static final String NAME = "lakehouse_record_visibility_seconds";

    private static final double[] BOUNDS = withInfinity(VisibilityHistogram.UPPER_BOUNDS_SECONDS);

    private final Supplier<Collection<PipelineView>> pipelines;

    VisibilityCollector(Supplier<Collection<PipelineView>> pipelines) {
        this.pipelines = pipelines;
    }

    @Override
    public MetricSnapshots collect() {
        HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(NAME).unit(Unit.SECONDS)
                .help("Time from a committed record's timestamp (or event time) to the commit that made it visible");
        Collection<PipelineView> views = pipelines.get();
        if (views.isEmpty()) {
            return new MetricSnapshots();
        }
        for (PipelineView pipeline : views) {
            VisibilityHistogram.Snapshot snapshot = pipeline.visibility();
            histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("pipeline", pipeline.name()))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, snapshot.counts()))
                    .sum(snapshot.sumSeconds()).build());
        }
        return new MetricSnapshots(histogram.build());
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(NAME);
    }

    private static double[] withInfinity(double[] bounds) {
        double[] all = java.util.Arrays.copyOf(bounds, bounds.length + 1);
        all[bounds.length] = Double.POSITIVE_INFINITY;
        return all;
    }
}
