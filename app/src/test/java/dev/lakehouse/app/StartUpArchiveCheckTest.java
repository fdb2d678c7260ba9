package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartUpArchiveCheckTest {

    @Test
    void aJvmThatSharesClassesNeedsNoWarning() {
        assertThat(StartUpArchiveCheck.warning("/opt/lakehouse/lib/lakehouse.jsa", "mixed mode, sharing")).isEmpty();
    }

    @Test
    void anArchiveTheJvmDidNotMapIsNamedWithTheCommandThatRecordsItAgain() {
        assertThat(StartUpArchiveCheck.warning("/opt/lakehouse/lib/lakehouse.jsa", "mixed mode")).hasValueSatisfying(
                warning -> assertThat(warning).contains("/opt/lakehouse/lib/lakehouse.jsa")
                        .contains("bin/record-start-up-archive"));
    }

    @Test
    void withoutAnArchiveFromTheScriptThereIsNothingToCheck() {
        assertThat(StartUpArchiveCheck.warning(null, "mixed mode")).isEmpty();
        assertThat(StartUpArchiveCheck.warning(null, "interpreted mode")).isEmpty();
    }
}
