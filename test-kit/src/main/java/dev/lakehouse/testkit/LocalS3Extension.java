package dev.lakehouse.testkit;

import dev.lakehouse.s3.local.LocalS3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a real S3-protocol server ({@link LocalS3Server}: s3proxy on its file-system backend, in a child JVM),
 * one per test class, on a data directory of its own that is deleted after the class; resolvable in
 * {@code @BeforeAll} methods too. A class that needs the server's files reads them under
 * {@link LocalS3Server#dataDir()}. Modules that use it depend on {@code local-s3} themselves (optional here, so the
 * other modules' test class paths stay free of s3proxy).
 */
public final class LocalS3Extension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalS3Extension.class);

    private record ClassServer(LocalS3Server server, Path dir) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws IOException {
            try {
                server.close();
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalS3Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent("s3", key -> {
            try {
                Path dir = Files.createTempDirectory("local-s3-");
                return new ClassServer(LocalS3Server.start(dir), dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ClassServer.class).server();
    }
}
