package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.ingest.status.RecordTimes;
import dev.lakehouse.ingest.status.VisibilityHistogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class VisibilityCollectorTest {

    @Test
    void eachPipelinesVisibilityIsAPrometheusHistogramOfSecondsWithCumulativeBuckets() throws Exception {
        // A batch committed at 100 s: 3 records stamped at 99.9 s (0.1 s old), 2 at 97 s (3 s), 1 at 40 s (60 s).
        RecordTimes times = new RecordTimes();
        for (long stamp : new long[] {99_900, 99_900, 99_900, 97_000, 97_000, 40_000}) {
            times.add(stamp);
        }
        VisibilityHistogram histogram = new VisibilityHistogram();
        histogram.committed(100_000, times);
        ListenedPipeline orders = new ListenedPipeline("orders", null);
        orders.visibility = histogram.snapshot();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new VisibilityCollector(() -> List.of(orders)));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(text, registry.scrape());
        String scrape = text.toString(StandardCharsets.UTF_8);

        assertThat(scrape).contains("# TYPE lakehouse_record_visibility_seconds histogram")
                .contains("lakehouse_record_visibility_seconds_bucket{pipeline=\"orders\",le=\"0.25\"} 3")
                .contains("lakehouse_record_visibility_seconds_bucket{pipeline=\"orders\",le=\"2.5\"} 3")
                .contains("lakehouse_record_visibility_seconds_bucket{pipeline=\"orders\",le=\"5.0\"} 5")
                .contains("lakehouse_record_visibility_seconds_bucket{pipeline=\"orders\",le=\"60.0\"} 6")
                .contains("lakehouse_record_visibility_seconds_bucket{pipeline=\"orders\",le=\"+Inf\"} 6")
                .contains("lakehouse_record_visibility_seconds_count{pipeline=\"orders\"} 6")
                .containsPattern("lakehouse_record_visibility_seconds_sum\\{pipeline=\"orders\"} 66\\.3");
    }
}
