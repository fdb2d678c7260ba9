package dev.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

    private static final ConsoleUser ANN = new ConsoleUser("ann", PasswordHash.hash("pw".toCharArray()),
            ConsoleRole.OPERATOR);

    @Test
    void withoutUsersOnlyLoopbackAddressesAreAllowed() {
        assertThat(ConsoleSettings.localReadOnly(0).loginRequired()).isFalse();
        new ConsoleSettings("localhost", 8080, List.of(), Duration.ofHours(1));
        new ConsoleSettings("::1", 8080, List.of(), Duration.ofHours(1));
        assertThatThrownBy(() -> new ConsoleSettings("0.0.0.0", 8080, List.of(), Duration.ofHours(1)))
                .hasMessageContaining("read-only").hasMessageContaining("127.0.0.1");
    }

    @Test
    void withUsersAnyAddressIsAllowedAndLoginIsRequired() {
        ConsoleSettings settings = new ConsoleSettings("0.0.0.0", 8080, List.of(ANN), Duration.ofHours(1));
        assertThat(settings.loginRequired()).isTrue();
        assertThatThrownBy(() -> new ConsoleSettings("0.0.0.0", 8080, List.of(ANN, ANN), Duration.ofHours(1)))
                .hasMessageContaining("same name");
        assertThatThrownBy(() -> new ConsoleSettings("0.0.0.0", 70000, List.of(ANN), Duration.ofHours(1)))
                .hasMessageContaining("port");
    }
}
