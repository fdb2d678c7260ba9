package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.table.KernelReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: {@code lakehouse demo} fills a table, and Ctrl-C leaves no process behind. */
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void theDemoFillsATableAndCtrlCStopsEverything() throws Exception {
        Path output = dir.resolve("demo.out");
        Path dataDir = dir.resolve("lakehouse-data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "demo", "--data-dir", dataDir.toString(), "--rate", "2000", "--trigger", "1s",
                "--console-port", "0"))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            Path table = dataDir.resolve("tables").resolve("orders");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> Files.isDirectory(table.resolve("_delta_log"))
                            && Files.readString(output).contains("\"outcome\":\"COMMITTED\""));
            String printed = Files.readString(output);
            assertThat(printed).contains("Delta table      file:" + table)
                    .contains("delta_scan('" + table + "')").contains("Ctrl-C stops everything");
            Matcher console = Pattern.compile("Web console {6}(http://\\S+)").matcher(printed);
            assertThat(console.find()).as("the demo prints the console's URL").isTrue();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> overview = http.send(HttpRequest.newBuilder(URI.create(console.group(1) + "api/overview"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("\"name\":\"orders\"");
            // Past version 10 the table has a checkpoint, which every later log read opens with delta-standalone's
            // own Parquet: its INFO lines must not reach the log.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> http.send(HttpRequest.newBuilder(URI.create(console.group(1) + "api/overview"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body().matches(
                            "(?s).*\"tableVersion\":(1[2-9]|[2-9]\\d|\\d{3,}),.*"));
            String processRate = http.send(HttpRequest.newBuilder(URI.create(console.group(1) + "api/overview"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()
                    .replaceAll("(?s).*\"processedRowsPerSecond\":([0-9.]+).*", "$1");
            assertThat(Double.parseDouble(processRate)).as("rows/s committed, shown while 2,000/s arrive")
                    .isGreaterThan(500);
            Set<Long> children = new HashSet<>();
            demo.descendants().forEach(p -> children.add(p.pid()));
            assertThat(children).as("the broker runs in its own JVM").isNotEmpty();

            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor(); // Ctrl-C
            assertThat(demo.waitFor(2, TimeUnit.MINUTES)).as("demo exits after Ctrl-C").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> children.stream()
                    .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
            String log = Files.readString(output);
            assertThat(log).contains("Stopping the demo").contains("pipeline orders stopped");
            assertThat(log).as("library chatter stays out of the log")
                    .doesNotContain("InternalParquetRecordReader").doesNotContain("has been already registered")
                    .doesNotContain("PrometheusMeterRegistry");

            List<Map<String, Object>> rows = KernelReader.read(table.toUri().toString()).rows();
            Set<Object> ids = new HashSet<>();
            rows.forEach(r -> ids.add(r.get("order_id")));
            assertThat(rows).isNotEmpty();
            assertThat(ids).as("order ids are unique").hasSize(rows.size());
            assertThat(rows.get(0)).containsKeys("country", "amount", "status", "order_date");
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
