package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ConfigException;
import dev.lakehouse.app.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A table per topic: which topics get a pipeline, what each topic's pipeline is, and when discovery fails. */
class TopicDiscoveryTest {

    private static final String PER_TOPIC = """
            pipelines:
              - name: raw
                instance-id: host-1
                source:
                  bootstrap-servers: localhost:9092
                  topic-pattern: "clicks-.*"
                  consumer-properties: {security.protocol: SASL_SSL}
                registry:
                  url: http://localhost:8081
                table:
                  location: s3a://lake/raw/{topic}
                dead-letters:
                  topic: "{topic}-dead-letters"
            """;

    private final Set<String> clusterTopics = new LinkedHashSet<>();
    private final List<PipelineConfig> made = new ArrayList<>();

    private TopicDiscovery discovery(String yaml) {
        PipelineConfig template = ConfigLoader.parse(yaml, "x.yaml", Path.of("/srv")).pipelines().get(0);
        return new TopicDiscovery(template, () -> Set.copyOf(clusterTopics), made::add);
    }

    @Test
    void eachMatchingTopicGetsItsOwnPipelineOnceAndTopicsCreatedLaterAreFoundByTheNextRound() {
        TopicDiscovery discovery = discovery(PER_TOPIC);
        clusterTopics.addAll(List.of("clicks-eu", "clicks-us", "orders", "clicks-eu-dead-letters"));

        assertThat(discovery.discover()).containsExactly("clicks-eu", "clicks-us");
        assertThat(discovery.discover()).as("nothing new").isEmpty();
        clusterTopics.add("clicks-apac");
        assertThat(discovery.discover()).containsExactly("clicks-apac");

        assertThat(made).extracting(PipelineConfig::name).containsExactly("raw.clicks-eu", "raw.clicks-us",
                "raw.clicks-apac");
        assertThat(discovery.topics()).containsExactly("clicks-eu", "clicks-us", "clicks-apac");
    }

    @Test
    void aTopicMissingFromTwoListingsInARowIsReleasedAndIfCreatedAgainFoundAgain() {
        List<PipelineConfig> gone = new ArrayList<>();
        PipelineConfig template = ConfigLoader.parse(PER_TOPIC, "x.yaml", Path.of("/srv")).pipelines().get(0);
        TopicDiscovery discovery = new TopicDiscovery(template, () -> Set.copyOf(clusterTopics), made::add, gone::add);
        clusterTopics.addAll(List.of("clicks-eu", "clicks-us"));
        discovery.discover();

        clusterTopics.remove("clicks-us");
        discovery.discover();
        assertThat(gone).as("one listing without it may lag behind the cluster").isEmpty();
        discovery.discover();
        assertThat(gone).extracting(PipelineConfig::name).containsExactly("raw.clicks-us");
        assertThat(discovery.topics()).containsExactly("clicks-eu");

        clusterTopics.add("clicks-us");
        assertThat(discovery.discover()).containsExactly("clicks-us");
        assertThat(made).extracting(PipelineConfig::name).containsExactly("raw.clicks-eu", "raw.clicks-us",
                "raw.clicks-us");
    }

    @Test
    void aTopicMissingFromOneListingOnlyKeepsItsPipeline() {
        List<PipelineConfig> gone = new ArrayList<>();
        PipelineConfig template = ConfigLoader.parse(PER_TOPIC, "x.yaml", Path.of("/srv")).pipelines().get(0);
        TopicDiscovery discovery = new TopicDiscovery(template, () -> Set.copyOf(clusterTopics), made::add, gone::add);
        clusterTopics.addAll(List.of("clicks-eu"));
        discovery.discover();
        clusterTopics.clear();
        discovery.discover();
        clusterTopics.add("clicks-eu");
        discovery.discover();
        clusterTopics.clear();
        discovery.discover();

        assertThat(gone).isEmpty();
        assertThat(made).hasSize(1);
    }

    @Test
    void aTopicsPipelineReadsThatTopicIntoItsOwnLocationsInTheTemplatesGroupUnderItsOwnMemberId() {
        TopicDiscovery discovery = discovery(PER_TOPIC);
        clusterTopics.add("clicks-eu");
        discovery.discover();

        PipelineConfig eu = made.get(0);
        assertThat(eu.tablePerTopic()).isFalse();
        assertThat(eu.source().topics()).containsExactly("clicks-eu");
        assertThat(eu.source().topicPattern()).isNull();
        assertThat(eu.source().groupId()).as("one group for the template's topics").isEqualTo("lakehouse-raw");
        assertThat(eu.table().location()).isEqualTo("s3a://lake/raw/clicks-eu");
        assertThat(eu.deadLetters().tableLocation()).isEqualTo("s3a://lake/raw/clicks-eu_dead_letters");
        assertThat(eu.deadLetters().topic()).isEqualTo("clicks-eu-dead-letters");
        assertThat(eu.source().consumerProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(PipelineParts.settings(eu).groupInstanceId()).isEqualTo("raw.clicks-eu-host-1");
    }

    @Test
    void aTopicWhosePipelineCannotBeMadeIsTriedAgainAtTheNextRound() {
        PipelineConfig template = ConfigLoader.parse(PER_TOPIC, "x.yaml", null).pipelines().get(0);
        List<String> attempts = new ArrayList<>();
        TopicDiscovery discovery = new TopicDiscovery(template, () -> Set.of("clicks-eu"), pipeline -> {
            attempts.add(pipeline.name());
            if (attempts.size() == 1) {
                throw new IllegalStateException("lease held by another appliance");
            }
        });

        assertThat(discovery.discover()).isEmpty();
        assertThat(discovery.discover()).containsExactly("clicks-eu");
        assertThat(attempts).containsExactly("raw.clicks-eu", "raw.clicks-eu");
    }

    @Test
    void listedTopicsNeedNoListingAndAFailedListingIsReported() {
        TopicDiscovery listed = discovery(PER_TOPIC.replace("topic-pattern: \"clicks-.*\"", "topics: [a, b]"));
        assertThat(listed.discover()).containsExactly("a", "b");

        PipelineConfig template = ConfigLoader.parse(PER_TOPIC, "x.yaml", null).pipelines().get(0);
        TopicDiscovery unreachable = new TopicDiscovery(template, () -> {
            throw new IllegalStateException("cannot list the topics of localhost:9092: timed out");
        }, made::add);
        assertThatThrownBy(unreachable::discover).hasMessageContaining("cannot list the topics");
    }

    @Test
    void theConfigurationNamesEachTopicsTableAndRefusesASharedDeadLetterTable() {
        ApplianceConfig config = ConfigLoader.parse(PER_TOPIC, "x.yaml", null);
        assertThat(config.pipeline("raw.clicks-eu", "x.yaml").table().location())
                .isEqualTo("s3a://lake/raw/clicks-eu");
        assertThatThrownBy(() -> config.pipeline("raw", "x.yaml"))
                .hasMessageContaining("writes a table per topic").hasMessageContaining("raw.<topic>");
        assertThat(ConfigLoader.parse(PER_TOPIC.replace("s3a://lake/raw/{topic}", "tables/{topic}"), "x.yaml",
                Path.of("/srv")).pipelines().get(0).forTopic("t").table().location())
                .as("a relative location keeps its placeholder").isEqualTo("file:///srv/tables/t");

        assertThatThrownBy(() -> ConfigLoader.parse(PER_TOPIC.replace("  topic: \"{topic}-dead-letters\"",
                "  table: s3a://lake/dead"), "x.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dead-letters.table: must contain {topic}");
        assertThatThrownBy(() -> ConfigLoader.parse(PER_TOPIC.replace("s3a://lake/raw/{topic}", "s3a://lake/raw"),
                "x.yaml", null))
                .hasMessageContaining("dead-letters.topic: contains {topic} but table.location does not");
    }
}
