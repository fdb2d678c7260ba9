package dev.lakehouse.table.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** The shared configurations answer regular-expression lookups from memory, and as Hadoop would. */
class HadoopConfigurationsTest {

    @Test
    void tablesWithTheSamePropertiesAtOneLocationShareOneConfiguration() {
        Map<String, String> properties = Map.of("lakehouse.test.share", "1");
        assertThat(HadoopConfigurations.create("file:/tmp/a", properties))
                .isSameAs(HadoopConfigurations.create("file:/tmp/a", properties));
    }

    @Test
    void regexLookupsAnswerAsHadoopDoesAndFollowChanges() {
        Configuration shared = HadoopConfigurations.create("file:/tmp/regex",
                Map.of("delta.logStore.test.impl", "one", "spark.delta.logStore.test.impl", "two"));
        Configuration plain = new Configuration(shared); // Hadoop's own lookup over the same properties

        String regex = "^(spark\\.)?delta\\.logStore\\..*";
        Map<String, String> first = shared.getValByRegex(regex);
        assertThat(first).isEqualTo(plain.getValByRegex(regex))
                .containsEntry("delta.logStore.test.impl", "one");
        first.clear(); // the caller's copy: the next answer is whole
        assertThat(shared.getValByRegex(regex)).containsEntry("spark.delta.logStore.test.impl", "two");

        // Not done by the table code, but a change must not leave a stale answer behind.
        Configuration changed = HadoopConfigurations.create("file:/tmp/regex-changed",
                Map.of("delta.logStore.test.impl", "one"));
        changed.getValByRegex(regex);
        changed.set("delta.logStore.other.impl", "three");
        assertThat(changed.getValByRegex(regex)).containsEntry("delta.logStore.other.impl", "three");
        changed.unset("delta.logStore.other.impl");
        assertThat(changed.getValByRegex(regex)).doesNotContainKey("delta.logStore.other.impl");
    }
}
