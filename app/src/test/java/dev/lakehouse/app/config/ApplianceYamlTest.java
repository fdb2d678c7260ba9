package dev.lakehouse.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplianceYamlTest {

    @TempDir
    Path dir;

    @Test
    void whatItWritesIsWhatTheLoaderReadsValuesThatNeedQuotingIncluded() {
        ApplianceYaml yaml = new ApplianceYaml();
        yaml.pipeline("raw")
                .set("instance-id", "host-1")
                .set("source.bootstrap-servers", "kafka:9092")
                .set("source.topic-pattern", "clicks-.*|#views: [a-z]+")
                .set("source.consumer-properties.sasl.jaas.config", "a \"quoted\" value: with colon")
                .set("registry.url", "http://registry:8081")
                .set("table.location", dir.resolve("{topic}").toUri().toString())
                .set("table.partition-by", List.of("day(created_at) as order_date", "country"))
                .set("trigger.interval", "2s")
                .set("trigger.max-records", 5_000)
                .and().pipeline("second")
                .set("source.bootstrap-servers", "kafka:9092")
                .set("source.topics", List.of("yes", "no", "on", "null", "007"))
                .set("registry.url", "http://registry:8081")
                .set("table.location", dir.resolve("second").toUri().toString());
        yaml.console("port", 0);

        ApplianceConfig config = ConfigLoader.parse(yaml.render(), "built", dir);

        ApplianceConfig.PipelineConfig raw = config.pipelines().get(0);
        assertThat(raw.name()).isEqualTo("raw");
        assertThat(raw.instanceId()).isEqualTo("host-1");
        assertThat(raw.source().topicPattern()).isEqualTo("clicks-.*|#views: [a-z]+");
        assertThat(raw.source().consumerProperties()).containsEntry("sasl.jaas.config", "a \"quoted\" value: with colon");
        assertThat(raw.table().partitionBy()).containsExactly("day(created_at) as order_date", "country");
        assertThat(raw.trigger().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(raw.trigger().maxRecords()).isEqualTo(5_000);
        assertThat(config.pipelines().get(1).source().topics()).as("words YAML would read as booleans or numbers")
                .containsExactly("yes", "no", "on", "null", "007");
        assertThat(config.console().port()).isZero();
    }
}
