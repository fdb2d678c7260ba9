package dev.lakehouse.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The appliance ({@code lakehouse run}) in its own JVM, as an operator runs it, so tests can SIGKILL it. */
final class ApplianceProcess {

    private ApplianceProcess() {
    }

    static Process start(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }
}
