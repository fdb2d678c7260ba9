package dev.lakehouse.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in users, in memory: a restart logs everyone out. Each session has a random id (the cookie) and its own
 * random CSRF token, which every action must echo in a header. Sessions expire after a period without requests.
 */
final class Sessions {

    /** A logged-in user. */
    record Session(String id, String user, ConsoleRole role, String csrfToken, Instant expiresAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final Clock clock;

    Sessions(Duration idleTimeout, Clock clock) {
        this.idleTimeout = idleTimeout;
        this.clock = clock;
    }

    Session create(ConsoleUser user) {
        Session session = new Session(token(), user.name(), user.role(), token(), clock.instant().plus(idleTimeout));
        sessions.put(session.id(), session);
        sessions.values().removeIf(s -> s.expiresAt().isBefore(clock.instant()));
        return session;
    }

    /** The live session with this id, its expiry pushed back; empty when unknown or expired. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (session.expiresAt().isBefore(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session renewed = new Session(session.id(), session.user(), session.role(), session.csrfToken(),
                clock.instant().plus(idleTimeout));
        sessions.put(id, renewed);
        return Optional.of(renewed);
    }

    void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
