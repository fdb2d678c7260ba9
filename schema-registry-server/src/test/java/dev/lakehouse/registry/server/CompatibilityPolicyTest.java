package dev.lakehouse.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityPolicyTest {

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
    }

    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"int\"}");
    private static final Schema ADDED_WITH_DEFAULT =
            record("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}");
    private static final Schema ADDED_WITHOUT_DEFAULT =
            record("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\"}");
    private static final Schema REMOVED = record("");

    @Test
    void backwardAllowsAnAddedFieldWithADefaultButNotWithout() {
        assertThat(CompatibilityPolicy.BACKWARD.check(ADDED_WITH_DEFAULT, List.of(V1))).isEmpty();
        assertThat(CompatibilityPolicy.BACKWARD.check(ADDED_WITHOUT_DEFAULT, List.of(V1)))
                .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("b");
    }

    @Test
    void forwardAllowsARemovedFieldOnlyIfTheOldReaderHasADefault() {
        assertThat(CompatibilityPolicy.FORWARD.check(ADDED_WITHOUT_DEFAULT, List.of(V1))).isEmpty();
        assertThat(CompatibilityPolicy.FORWARD.check(REMOVED, List.of(V1))).isNotEmpty();
    }

    @Test
    void fullNeedsBothDirections() {
        assertThat(CompatibilityPolicy.FULL.check(ADDED_WITH_DEFAULT, List.of(V1))).isEmpty();
        assertThat(CompatibilityPolicy.FULL.check(ADDED_WITHOUT_DEFAULT, List.of(V1))).isNotEmpty();
    }

    @Test
    void transitiveLevelsCheckEveryEarlierVersionNotOnlyTheLatest() {
        Schema v2 = record("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}");
        // v3 drops b's default-friendly history: reads v2 fine, but cannot read v1 (b has no default now).
        Schema v3 = record("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"int\"}");
        assertThat(CompatibilityPolicy.BACKWARD.check(v3, List.of(V1, v2))).isEmpty();
        assertThat(CompatibilityPolicy.BACKWARD_TRANSITIVE.check(v3, List.of(V1, v2))).isNotEmpty();
    }

    @Test
    void noneAcceptsAnything() {
        Schema unrelated = new Schema.Parser().parse("\"string\"");
        assertThat(CompatibilityPolicy.NONE.check(unrelated, List.of(V1))).isEmpty();
    }

    @Test
    void parsesLevelsCaseInsensitivelyAndRejectsOthersWith42203() {
        assertThat(CompatibilityPolicy.parse("full_transitive")).isEqualTo(CompatibilityPolicy.FULL_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityPolicy.parse("sideways"))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode).isEqualTo(42203));
    }
}
