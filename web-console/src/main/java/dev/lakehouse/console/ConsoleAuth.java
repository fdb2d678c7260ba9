package dev.lakehouse.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.common.Sleeper;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the console: logins against the configured users (hashed passwords, throttled per name alike for
 * known and unknown names, a delay after a failure), in-memory sessions in an HttpOnly, SameSite=Strict cookie, the
 * viewer check of every API call, and the operator check (role and CSRF token) of every action. A console without
 * users is read-only and needs no login.
 */
final class ConsoleAuth {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleAuth.class);
    private static final Duration FAILED_LOGIN_DELAY = Duration.ofMillis(500);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsoleSettings settings;
    private final Sessions sessions;
    private final LoginThrottle loginThrottle;
    /** Waits out the failed-login delay. */
    private final Sleeper sleeper;

    ConsoleAuth(ConsoleSettings settings, Clock clock, Sleeper sleeper) {
        this.settings = settings;
        this.sessions = new Sessions(settings.sessionIdleTimeout(), clock);
        this.loginThrottle = new LoginThrottle(clock);
        this.sleeper = sleeper;
    }

    /** Before every API call: a logged-in session when the console has users (the session and login calls aside). */
    void requireViewer(Context ctx) {
        if (!settings.loginRequired() || ctx.path().equals("/api/session") || ctx.path().equals("/api/login")) {
            return;
        }
        if (session(ctx).isEmpty()) {
            throw new UnauthorizedResponse("log in to see the console");
        }
    }

    /**
     * Before an action: the session of an operator, with its CSRF token in the request's header.
     *
     * @throws ForbiddenResponse on a read-only console, for a viewer, or without the right token
     * @throws UnauthorizedResponse without a session
     */
    Sessions.Session requireOperator(Context ctx) {
        if (!settings.loginRequired()) {
            throw new ForbiddenResponse("this console is read-only: configure console.users with an operator to "
                    + "enable actions");
        }
        Sessions.Session session = session(ctx).orElseThrow(() -> new UnauthorizedResponse("log in first"));
        if (session.role() != ConsoleRole.OPERATOR) {
            throw new ForbiddenResponse("user " + session.user() + " is a viewer; only operators may do this");
        }
        String token = ctx.header(WebConsole.CSRF_HEADER);
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
            throw new ForbiddenResponse("missing or wrong " + WebConsole.CSRF_HEADER + " header; reload the page");
        }
        return session;
    }

    /** {@code POST /api/login}. */
    void login(Context ctx) {
        if (!settings.loginRequired()) {
            throw new BadRequestResponse("this console has no users: it is read-only and needs no login");
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (Exception e) {
            throw new BadRequestResponse("expected a JSON body {\"user\": ..., \"password\": ...}");
        }
        String name = body == null ? null : body.path("user").asText(null);
        char[] password = body == null ? new char[0] : body.path("password").asText("").toCharArray();
        try {
            Optional<ConsoleUser> user = settings.users().stream().filter(u -> u.name().equals(name)).findFirst();
            // Every name is throttled alike, known or not: a lock must not tell which names exist.
            String throttled = name == null ? "" : name;
            Optional<Duration> locked = loginThrottle.lockedFor(throttled);
            if (locked.isPresent()) {
                // Refused before the password is checked: a locked name costs no hashing.
                long seconds = Math.max(1, (locked.get().toMillis() + 999) / 1000);
                LOG.warn("console: login for '{}' from {} refused, locked for {} s after failed logins", name,
                        ctx.ip(), seconds);
                ctx.header("Retry-After", Long.toString(seconds));
                throw new HttpResponseException(HttpStatus.TOO_MANY_REQUESTS.getCode(), "too many failed logins "
                        + "for this user; try again in " + seconds + " s");
            }
            // Hash even for an unknown user, so the answer's timing does not tell which names exist.
            String hash = user.map(ConsoleUser::passwordHash).orElseGet(UnknownUser::hash);
            boolean matches = PasswordHash.matches(password, hash) && user.isPresent();
            if (!matches) {
                LOG.warn("console: failed login for '{}' from {}", name, ctx.ip());
                loginThrottle.failed(throttled);
                sleep(FAILED_LOGIN_DELAY);
                throw new UnauthorizedResponse("wrong user name or password");
            }
            loginThrottle.succeeded(throttled);
            Sessions.Session session = sessions.create(user.get());
            ctx.header("Set-Cookie", cookie(ctx, session.id(), settings.sessionIdleTimeout().toSeconds()));
            LOG.info("console: {} logged in ({})", session.user(), session.role());
            ctx.json(sessionView(Optional.of(session)));
        } finally {
            PasswordHash.wipe(password);
        }
    }

    /** {@code GET /api/session}. */
    void showSession(Context ctx) {
        ctx.json(sessionView(session(ctx)));
    }

    /** {@code POST /api/logout}. */
    void logout(Context ctx) {
        sessions.remove(ctx.cookie(WebConsole.SESSION_COOKIE));
        ctx.header("Set-Cookie", cookie(ctx, "", 0));
        ctx.json(sessionView(Optional.empty()));
    }

    /** A hash to check unknown names against, made on the first such login rather than at start-up. */
    private static final class UnknownUser {
        private static final String HASH = PasswordHash.hash("unknown-user".toCharArray());

        static String hash() {
            return HASH;
        }
    }

    private Optional<Sessions.Session> session(Context ctx) {
        return settings.loginRequired() ? sessions.find(ctx.cookie(WebConsole.SESSION_COOKIE)) : Optional.empty();
    }

    private Views.SessionView sessionView(Optional<Sessions.Session> session) {
        return session.map(s -> new Views.SessionView(true, true, s.user(), s.role().name(),
                        s.role() == ConsoleRole.OPERATOR, s.csrfToken()))
                .orElseGet(() -> new Views.SessionView(settings.loginRequired(), false, null, null, false, null));
    }

    /** HttpOnly, SameSite=Strict; Secure when the request came over HTTPS (directly or via a proxy). */
    private static String cookie(Context ctx, String value, long maxAgeSeconds) {
        boolean secure = ctx.scheme().equals("https") || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        return WebConsole.SESSION_COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    private void sleep(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
