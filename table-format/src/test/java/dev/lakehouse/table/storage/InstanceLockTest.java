package dev.lakehouse.table.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One holder per instance identity; released on close. (Across processes: {@code RestartWithFixedIdentityIT}.) */
class InstanceLockTest {

    @TempDir
    Path dir;

    @Test
    void aHeldIdentityIsRefusedNamingItsHolderAndFreeAgainOnceReleased() throws Exception {
        String location = dir.resolve("orders").toUri().toString();
        try (InstanceLock first = InstanceLock.acquire(location, "orders@appliance-1", "host-a/100")) {
            assertThat(Files.readString(first.file())).startsWith("host-a/100 since ");
            assertThatThrownBy(() -> InstanceLock.acquire(location, "orders@appliance-1", "host-b/200"))
                    .isInstanceOf(InstanceIdInUseException.class)
                    .hasMessageContaining("instance orders@appliance-1 of table " + location)
                    .hasMessageContaining("host-a/100")
                    .hasMessageContaining("give this one its own instance-id");
            // Another identity on the same table is independent.
            InstanceLock.acquire(location, "orders@appliance-2", "host-b/200").close();
        }
        try (InstanceLock again = InstanceLock.acquire(location, "orders@appliance-1", "host-b/200")) {
            assertThat(Files.readString(again.file())).startsWith("host-b/200 since ");
        }
    }

    @Test
    void onlyLocalTablesTakeIt() {
        assertThat(InstanceLock.supported("file:///data/orders")).isTrue();
        assertThat(InstanceLock.supported("/data/orders")).isTrue();
        assertThat(InstanceLock.supported("s3a://lake/orders")).isFalse();
        assertThatThrownBy(() -> InstanceLock.acquire("s3a://lake/orders", "orders@a", "h/1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
