package dev.lakehouse.console;

import java.util.Objects;

/**
 * A user who may log in to the console.
 *
 * @param name the login name
 * @param passwordHash the password as {@link PasswordHash#hash} wrote it; the clear password is never configured
 * @param role what the user may do
 */
public record ConsoleUser(String name, String passwordHash, ConsoleRole role) {

    public ConsoleUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a console user needs a name");
        }
        if (!PasswordHash.isHash(passwordHash)) {
            throw new IllegalArgumentException("console user " + name + ": password-hash is not a hash made by "
                    + "`lakehouse hash-password` (expected " + PasswordHash.FORMAT + ")");
        }
    }

    /** Never shows the hash. */
    @Override
    public String toString() {
        return "ConsoleUser[" + name + ", " + role + "]";
    }
}
