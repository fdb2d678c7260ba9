package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data sharing archive as an operator meets it: the build's app directory maps the archive the build
 * recorded (the appliance's own classes come from it); a copy of the directory at another path cannot, and
 * {@code bin/lakehouse} says so with the command that fixes it; {@code bin/record-start-up-archive} run in the copy
 * records an archive that the copy's starts then map. Skipped when the build left the archive out ({@code -Dcds.skip}).
 */
class StartUpArchiveIT {

    private static final String WARNING = "did not use the class-data sharing archive";
    /** With {@code -Xlog:class+load}, the JVM names where each class came from. */
    private static final String MAIN_FROM_ARCHIVE = "dev.lakehouse.app.Main source: shared objects file";

    @TempDir
    Path dir;

    @Test
    void theBuildsArchiveIsMappedAndACopiedDirectoryWarnsUntilItRecordsItsOwn() throws Exception {
        Path built = ApplianceProcess.appDirectory();
        assumeTrue(Files.exists(built.resolve("lib/lakehouse.jsa")), "the build recorded no archive (-Dcds.skip)");

        String inBuild = run(built, "bin/lakehouse", "--version");
        assertThat(inBuild).contains(Appliance.ENGINE_INFO).contains(MAIN_FROM_ARCHIVE).doesNotContain(WARNING);

        Path copy = dir.resolve("lakehouse");
        copyDirectory(built, copy);
        String inCopy = run(copy, "bin/lakehouse", "--version");
        assertThat(inCopy).contains(Appliance.ENGINE_INFO).doesNotContain(MAIN_FROM_ARCHIVE)
                .contains(WARNING, copy.resolve("lib/lakehouse.jsa").toRealPath().toString(),
                        "bin/record-start-up-archive");

        String recording = run(copy, "bin/record-start-up-archive");
        assertThat(recording).contains("recorded " + copy.resolve("lib/lakehouse.jsa").toRealPath());

        String afterRecording = run(copy, "bin/lakehouse", "--version");
        assertThat(afterRecording).contains(Appliance.ENGINE_INFO).contains(MAIN_FROM_ARCHIVE)
                .doesNotContain(WARNING);
    }

    /** Runs a script of an app directory with this JVM and the script's default options; fails unless it exits 0. */
    private static String run(Path appDirectory, String script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(appDirectory.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (script.equals("bin/lakehouse")) {
            builder.environment().put("EXTRA_JAVA_OPTS", "-Xlog:class+load=info");
        }
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", script).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit of %s, output:%n%s", script, tail(text)).isZero();
        return text;
    }

    private static String tail(String text) {
        return text.length() <= 4_000 ? text : text.substring(text.length() - 4_000);
    }

    /** A copy as {@code cp -a} makes it: timestamps and permissions kept, so only the path differs. */
    private static void copyDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Files.copy(source, to.resolve(from.relativize(source).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
