package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of one table-per-topic pipeline ({@link PipelineConfig#tablePerTopic()}): the listed topics, or the
 * cluster's topics that match its pattern, found when {@link #discover()} is called (at start and then every
 * {@code source.topic-discovery-interval}), each handed to the callback once, so every topic gets its own
 * pipeline and table when it is first seen, also topics created while the appliance runs.
 *
 * <p>The pipeline's own dead-letter topics are never taken for source topics, even when the pattern matches them.
 * A topic whose pipeline cannot be made (the callback throws) is logged as an error and tried again at the next
 * discovery. Not thread-safe: called by one thread at a time.
 */
final class TopicDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(TopicDiscovery.class);

    private final PipelineConfig template;
    private final TopicLister lister;
    private final Consumer<PipelineConfig> onNewTopic;
    private final Consumer<PipelineConfig> onTopicGone;
    private final Pattern deadLetterTopics;
    private final Set<String> known = new LinkedHashSet<>();
    /** Known topics the last listing lacked: gone when the next one lacks them too. */
    private final Set<String> missingOnce = new LinkedHashSet<>();

    /**
     * @param template a table-per-topic pipeline
     * @param lister the cluster's topics; not used when the template lists its topics
     * @param onNewTopic makes and starts the pipeline of a topic seen for the first time
     */
    TopicDiscovery(PipelineConfig template, TopicLister lister, Consumer<PipelineConfig> onNewTopic) {
        this(template, lister, onNewTopic, gone -> { });
    }

    /**
     * @param onTopicGone stops a topic's pipeline and releases what it holds, once a topic matched by the pattern
     *                    is missing from two listings in a row (one listing may lag behind the cluster); if the
     *                    topic comes back it is a new topic to {@code onNewTopic}
     */
    TopicDiscovery(PipelineConfig template, TopicLister lister, Consumer<PipelineConfig> onNewTopic,
                   Consumer<PipelineConfig> onTopicGone) {
        if (!template.tablePerTopic()) {
            throw new IllegalArgumentException("pipeline " + template.name() + " does not write a table per topic");
        }
        this.template = template;
        this.lister = lister;
        this.onNewTopic = onNewTopic;
        this.onTopicGone = onTopicGone;
        this.deadLetterTopics = deadLetterTopicPattern(template.deadLetters().topic());
    }

    /** The template's name. */
    String pipeline() {
        return template.name();
    }

    /** The topics handed over so far, in the order they were found. */
    List<String> topics() {
        return List.copyOf(known);
    }

    /**
     * Finds the topics not handed over yet and hands each to the callback.
     *
     * @return the topics handed over by this call
     * @throws IllegalStateException if the cluster's topics cannot be listed (transient: call again later)
     */
    List<String> discover() {
        List<String> found = new ArrayList<>();
        Set<String> candidates = candidates();
        if (template.source().topicPattern() != null) {
            retireDeleted(candidates);
        }
        for (String topic : candidates) {
            if (known.contains(topic)) {
                continue;
            }
            if (deadLetterTopics != null && deadLetterTopics.matcher(topic).matches()) {
                continue;
            }
            try {
                onNewTopic.accept(template.forTopic(topic));
                known.add(topic);
                found.add(topic);
                LOG.info("pipeline {}: topic {} gets its own table {}", template.name(), topic,
                        template.forTopic(topic).table().location());
            } catch (RuntimeException e) {
                LOG.error("pipeline {}: topic {} cannot be ingested into its table: {}; trying again at the next "
                        + "topic discovery", template.name(), topic, e.getMessage(), e);
            }
        }
        return found;
    }

    /** Releases the pipelines of topics missing from this listing and the one before. */
    private void retireDeleted(Set<String> listed) {
        for (String topic : List.copyOf(known)) {
            if (listed.contains(topic)) {
                missingOnce.remove(topic);
            } else if (!missingOnce.add(topic)) {
                missingOnce.remove(topic);
                try {
                    onTopicGone.accept(template.forTopic(topic));
                    known.remove(topic);
                    LOG.info("pipeline {}: topic {} was deleted; its pipeline is stopped and released (its table "
                            + "stays; if the topic is created again it gets a pipeline again)", template.name(), topic);
                } catch (RuntimeException e) {
                    LOG.error("pipeline {}: the pipeline of deleted topic {} could not be released: {}; trying again "
                            + "at the next topic discovery", template.name(), topic, e.getMessage(), e);
                }
            }
        }
    }

    private Set<String> candidates() {
        if (template.source().topicPattern() == null) {
            return new LinkedHashSet<>(template.source().topics());
        }
        Pattern pattern = Pattern.compile(template.source().topicPattern());
        Set<String> matching = new TreeSet<>();
        for (String topic : lister.topics()) {
            if (pattern.matcher(topic).matches()) {
                matching.add(topic);
            }
        }
        return matching;
    }

    /** The dead-letter topic, or every topic its {@code {topic}} form can stand for; null when there is none. */
    private static Pattern deadLetterTopicPattern(String deadLetterTopic) {
        if (deadLetterTopic == null) {
            return null;
        }
        String placeholder = PipelineConfig.TOPIC_PLACEHOLDER;
        StringBuilder regex = new StringBuilder();
        int from = 0;
        int at;
        while ((at = deadLetterTopic.indexOf(placeholder, from)) >= 0) {
            regex.append(Pattern.quote(deadLetterTopic.substring(from, at))).append(".+");
            from = at + placeholder.length();
        }
        regex.append(Pattern.quote(deadLetterTopic.substring(from)));
        return Pattern.compile(regex.toString());
    }
}
