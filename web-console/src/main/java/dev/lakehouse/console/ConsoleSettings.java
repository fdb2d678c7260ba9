package dev.lakehouse.console;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Where the console listens and who may use it.
 *
 * <p>Without users the console is read-only and must listen on a loopback address only: nobody can act on the
 * appliance, and only someone on the machine can see it. With users, every page and API read needs a login (any
 * role), actions need an {@link ConsoleRole#OPERATOR}; {@code /metrics} and {@code /health/*} stay open for
 * scrapers and orchestrators.
 *
 * @param host the address to bind ({@code 127.0.0.1}, {@code 0.0.0.0}, ...)
 * @param port the port; 0 picks a free one
 * @param users who may log in; empty for a read-only localhost console
 * @param sessionIdleTimeout how long a login lasts without requests
 */
public record ConsoleSettings(String host, int port, List<ConsoleUser> users, Duration sessionIdleTimeout) {

    public ConsoleSettings {
        users = List.copyOf(users);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("console port must be 0..65535, got " + port);
        }
        if (users.isEmpty() && !isLoopbackHost(host)) {
            throw new IllegalArgumentException("console.host is " + host + " but no console.users are configured:"
                    + " without users the console is read-only and listens on localhost only. Add users (with"
                    + " `lakehouse hash-password`) or set console.host to 127.0.0.1");
        }
        if (users.stream().map(ConsoleUser::name).distinct().count() != users.size()) {
            throw new IllegalArgumentException("console.users has the same name twice");
        }
    }

    /** A read-only console on 127.0.0.1. */
    public static ConsoleSettings localReadOnly(int port) {
        return new ConsoleSettings("127.0.0.1", port, List.of(), Duration.ofHours(8));
    }

    /** Whether logins are configured (otherwise the console is read-only). */
    public boolean loginRequired() {
        return !users.isEmpty();
    }

    /** Whether {@code host} names this machine's loopback interface only. */
    public static boolean isLoopbackHost(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
