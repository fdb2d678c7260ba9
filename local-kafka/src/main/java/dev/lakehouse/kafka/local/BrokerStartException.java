package dev.lakehouse.kafka.local;

/**
 * The local broker could not be started: the child JVM exited, or did not become ready in time.
 * The message carries the last lines of the broker's log so the cause is visible without opening files.
 */
public final class BrokerStartException extends RuntimeException {

    BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
