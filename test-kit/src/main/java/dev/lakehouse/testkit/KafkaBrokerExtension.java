package dev.lakehouse.testkit;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a real Kafka broker ({@link LocalKafkaBroker}) into test and lifecycle method parameters.
 *
 * <p>One broker serves the whole test JVM (every class that uses the extension): it starts on first use, about
 * 3-6 s, and stops when the JUnit engine finishes, whether tests failed or not. Tests isolate themselves with
 * unique topic and group names ({@link TestNames}), not with brokers of their own.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class MyIT {
 *     @Test void works(LocalKafkaBroker kafka) { kafka.createTopic(TestNames.unique("orders"), 3); }
 * }
 * }</pre>
 */
public final class KafkaBrokerExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    /** Closes the broker when JUnit closes the root store, at the end of the test run. */
    private record SharedBroker(LocalKafkaBroker broker) implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            keepLog(broker);
            broker.close();
        }
    }

    /**
     * Copies the broker's log to {@code target/local-kafka/broker-<pid>.log} before its data directory is deleted,
     * so a failed run can be diagnosed from the broker's side.
     */
    private static void keepLog(LocalKafkaBroker broker) {
        Path target = Path.of("target");
        if (!Files.isDirectory(target) || !Files.exists(broker.logFile())) {
            return;
        }
        try {
            Path dir = Files.createDirectories(target.resolve("local-kafka"));
            Files.copy(broker.logFile(), dir.resolve("broker-" + broker.pid() + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("could not keep the broker log " + broker.logFile() + ": " + e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", key -> new SharedBroker(LocalKafkaBroker.builder().heap("768m").start()),
                        SharedBroker.class)
                .broker();
    }
}
