package dev.lakehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The appliance container's health check from docker-compose.yml, run on this machine the way Docker runs it in
 * the container (the {@code CMD} arguments, no shell in between), aimed at a console on another port.
 */
public final class ComposeHealthCheck {

    /** The console port inside the container, which the check's command names. */
    static final int CONTAINER_PORT = 8080;
    private static final Path COMPOSE_FILE = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();

    private ComposeHealthCheck() {
    }

    /** The check's command as compose gives it to Docker, without the leading {@code CMD}. */
    static List<String> command() {
        try {
            JsonNode test = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE_FILE.toFile())
                    .path("services").path("lakehouse").path("healthcheck").path("test");
            List<String> command = new ArrayList<>();
            test.forEach(arg -> command.add(arg.asText()));
            if (command.isEmpty() || !command.get(0).equals("CMD")) {
                throw new IllegalStateException("the lakehouse service's healthcheck is not a CMD list: " + test);
            }
            return command.subList(1, command.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the check against {@code 127.0.0.1:port} instead of the container's port.
     *
     * @return its exit code: 0 healthy
     */
    public static int runAgainst(int port) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        for (String arg : command()) {
            command.add(arg.replace("127.0.0.1/" + CONTAINER_PORT, "127.0.0.1/" + port));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
