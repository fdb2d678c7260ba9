package dev.lakehouse.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The appliance ({@code lakehouse run}) in its own JVM, as an operator runs it, so tests can SIGKILL it. */
public final class ApplianceProcess {

    /** The runnable app directory the build makes in the package phase, before the integration tests run. */
    private static final Path INSTALLED = Path.of("target", "lakehouse", "bin", "lakehouse").toAbsolutePath();

    private ApplianceProcess() {
    }

    /** The app directory the build makes ({@code bin/}, {@code lib/}). */
    public static Path appDirectory() {
        return INSTALLED.getParent().getParent();
    }

    /** {@code run --config} on the test's classpath, with a small heap. */
    public static Process start(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * {@code bin/lakehouse run --config} from the built app directory, with its default JVM options: exactly what
     * an operator or a container runs. The script {@code exec}s the JVM, so the process is the JVM itself.
     */
    public static Process startInstalled(Path config, Path log) throws IOException {
        return startInstalled(config, log, null);
    }

    /** {@link #startInstalled(Path, Path)} with {@code JAVA_OPTS} set (null: the script's defaults). */
    public static Process startInstalled(Path config, Path log, String javaOpts) throws IOException {
        return startInstalled(log, javaOpts, "run", "--config", config.toString());
    }

    /** {@code bin/lakehouse} with these arguments, {@code JAVA_OPTS} set (null: the script's defaults). */
    public static Process startInstalled(Path log, String javaOpts, String... args) throws IOException {
        return startScript(log, javaOpts, null, args);
    }

    /**
     * {@code bin/lakehouse} with these arguments and the script's default JVM options, to its exit: a command such
     * as {@code run --once} or {@code compact}, which must end by itself within three minutes.
     *
     * @return its exit code
     */
    public static int runToExit(Path log, String... args) throws IOException, InterruptedException {
        Process process = startInstalled(log, null, args);
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("bin/lakehouse " + String.join(" ", args) + " did not exit within 3 minutes"
                    + " (see " + log + ")");
        }
        return process.exitValue();
    }

    /**
     * {@code bin/lakehouse run --config} with the script's default JVM options and {@code extraJavaOpts} added
     * after them ({@code EXTRA_JAVA_OPTS}): the shipped options, plus a GC log for instance.
     */
    public static Process startInstalledAdding(String extraJavaOpts, Path config, Path log) throws IOException {
        return startScript(log, null, extraJavaOpts, "run", "--config", config.toString());
    }

    private static Process startScript(Path log, String javaOpts, String extraJavaOpts, String... args)
            throws IOException {
        if (!Files.isExecutable(INSTALLED)) {
            throw new IllegalStateException(INSTALLED + " is missing: the package phase builds it before the "
                    + "integration tests");
        }
        List<String> command = new java.util.ArrayList<>(List.of(INSTALLED.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("EXTRA_JAVA_OPTS");
        if (javaOpts != null) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        if (extraJavaOpts != null) {
            builder.environment().put("EXTRA_JAVA_OPTS", extraJavaOpts);
        }
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }
}
