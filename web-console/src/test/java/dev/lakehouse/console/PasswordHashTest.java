package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void aHashMatchesItsPasswordOnlyAndIsSaltedEachTime() {
        String hash = PasswordHash.hash("correct horse".toCharArray());
        assertThat(hash).startsWith("pbkdf2-sha256$600000$").doesNotContain("correct horse");
        assertThat(PasswordHash.isHash(hash)).isTrue();
        assertThat(PasswordHash.matches("correct horse".toCharArray(), hash)).isTrue();
        assertThat(PasswordHash.matches("correct horsE".toCharArray(), hash)).isFalse();
        assertThat(PasswordHash.hash("correct horse".toCharArray())).as("a new salt each time").isNotEqualTo(hash);
    }

    @Test
    void theIterationCountIsReadFromTheHash() {
        String cheap = PasswordHash.hash("pw".toCharArray(), new byte[] {1, 2, 3, 4}, 1000);
        assertThat(cheap).startsWith("pbkdf2-sha256$1000$");
        assertThat(PasswordHash.matches("pw".toCharArray(), cheap)).isTrue();
    }

    @Test
    void malformedHashesNeverMatchAndAreRejectedForUsers() {
        for (String bad : new String[] {null, "", "secret", "pbkdf2-sha256$x$AAAA$BBBB", "md5$1$AAAA$BBBB",
                "pbkdf2-sha256$1000$AAAA$QUJD"}) {
            assertThat(PasswordHash.isHash(bad)).as(bad).isFalse();
            assertThat(PasswordHash.matches("secret".toCharArray(), bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> new ConsoleUser("ann", "secret", ConsoleRole.OPERATOR))
                .hasMessageContaining("lakehouse hash-password").hasMessageNotContaining("secret");
        assertThat(new ConsoleUser("ann", PasswordHash.hash("pw".toCharArray()), ConsoleRole.VIEWER).toString())
                .doesNotContain("pbkdf2");
    }
}
