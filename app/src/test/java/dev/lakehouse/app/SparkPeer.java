package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Spark 4 with delta-spark and its <strong>default settings</strong> (the vectorized Parquet reader), run in a JVM of
 * its own on the peer-spark module's classpath: the independent engine that reads what the appliance writes the way
 * a user's Spark does. Spark and delta-standalone never share a classpath.
 */
final class SparkPeer {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private SparkPeer() {
    }

    /**
     * The rows of {@code sql} as Spark computes them, {@code {table}} standing for the Delta table at
     * {@code location} (other tables can be named as {@code delta.`path`}).
     *
     * @param logName the file under {@code target/} that gets Spark's output
     */
    static List<JsonNode> query(String location, String sql, String logName) throws InterruptedException {
        Path peer = Path.of("..", "peer-spark", "target").toAbsolutePath().normalize();
        assertThat(peer.resolve("peer-spark.jar")).as("the peer-spark module is built before app").exists();
        Path out = Path.of("target", logName).toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g",
                // What Spark 4 needs opened on Java 17, as spark-submit opens it.
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "-cp", peer.resolve("peer-spark.jar") + File.pathSeparator + peer.resolve("lib") + "/*",
                "dev.lakehouse.peer.spark.SparkDeltaPeer", "query", location, sql));
        try {
            Process spark = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).start();
            assertThat(spark.waitFor(5, TimeUnit.MINUTES)).as("Spark answers (see %s)", out).isTrue();
            assertThat(spark.exitValue()).as("Spark's exit code (see %s)", out).isZero();
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                if (line.startsWith("ROW ")) {
                    rows.add(JSON.readTree(line.substring(4)));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
