package dev.lakehouse.kafka.local;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Entry point of the child JVM that {@link LocalKafkaBroker} launches. Not part of any public API.
 *
 * <p>It exists for one reason: a broker must never outlive the process that started it. The parent keeps
 * this JVM's standard input open for its whole life; when the parent dies in any way (even SIGKILL) the OS
 * closes the pipe, the watchdog thread reads end-of-file and this JVM exits. Kafka is called by reflection
 * so that this class compiles without the broker on the compile classpath.
 *
 * <p>Usage: {@code format <clusterId> <server.properties>} or {@code serve <server.properties>}.
 */
final class BrokerProcessMain {

    private BrokerProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: format <clusterId> <config> | serve <config>");
        }
        startParentWatchdog();
        switch (args[0]) {
            case "format" -> invokeMain("kafka.tools.StorageTool",
                    new String[] {"format", "--cluster-id", args[1], "--config", args[2], "--ignore-formatted"});
            case "serve" -> invokeMain("kafka.Kafka", new String[] {args[1]});
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void invokeMain(String className, String[] arguments) throws Exception {
        Method main = Class.forName(className).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void startParentWatchdog() {
        Thread watchdog = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() != -1) {
                    // The parent never writes; any byte is ignored. Only end-of-file matters.
                }
            } catch (IOException ignored) {
                // A broken pipe means the same as end-of-file: the parent is gone.
            }
            System.err.println("[local-kafka] parent process is gone; stopping the broker");
            Thread halter = new Thread(() -> {
                // Give Kafka's shutdown hook a bounded time, then stop regardless.
                try {
                    Thread.sleep(15_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().halt(1);
            }, "local-kafka-halter");
            halter.setDaemon(true);
            halter.start();
            System.exit(0);
        }, "local-kafka-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
