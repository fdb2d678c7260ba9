package dev.lakehouse.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.console.ApplianceMetrics;
import dev.lakehouse.console.ConsoleSettings;
import dev.lakehouse.console.MonitoredTable;
import dev.lakehouse.console.WebConsole;
import dev.lakehouse.ingest.source.ConsumerListener;
import dev.lakehouse.ingest.status.BatchProgress;
import dev.lakehouse.ingest.status.PartitionLag;
import dev.lakehouse.ingest.status.PipelineState;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The overview of 500 tables in Debian's chromium: it lists them all at once (the tables' figures are read in the
 * background, not by the request), a filter finds tables by name or topic, and the order puts the largest lag, the
 * stalest table or the failures first; filter and order survive the page's refreshes and a reload.
 *
 * <p>The tables are real Delta tables on local disk; the pipelines' states are given (a failed one, a retrying
 * one, lags and freshness that differ), as an appliance with 500 topics would report them.
 */
class ConsoleManyTablesBrowserIT {

    private static final int TABLES = 500;
    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields().requiredLong("id").endRecord();

    @TempDir
    Path dir;

    @Test
    void fiveHundredTablesAreListedAtOnceAndFoundByFilterAndOrder() throws Exception {
        ConsoleBrowserIT.assumeBrowser();
        Instant now = Instant.now();
        List<MonitoredTable> monitored = new ArrayList<>();
        // One table made by the table format, the others copies of it: real Delta tables, made in a second where
        // making each would take forty.
        Path first = dir.resolve("shop.table-000");
        LakeTable.open(TableOptions.builder(first.toUri().toString()).build()).createIfAbsent(SCHEMA);
        for (int i = 0; i < TABLES; i++) {
            String topic = String.format("shop.table-%03d", i);
            if (i > 0) {
                copy(first, dir.resolve(topic));
            }
            LakeTable table = LakeTable.open(TableOptions.builder(dir.resolve(topic).toUri().toString()).build());
            PipelineState state = i == 7 ? PipelineState.FAILED : i == 123 ? PipelineState.RETRYING
                    : PipelineState.RUNNING;
            long lag = i == 321 ? 99_999 : i * 10L;
            Duration freshness = Duration.ofSeconds(i == 250 ? 3_600 : 1 + i % 60);
            monitored.add(new MonitoredTable(new ShownPipeline("cdc." + topic, topic, table, state, lag,
                    now.minus(freshness)), List.of(topic), null, 1 << 20));
        }

        try (ApplianceMetrics metrics = new ApplianceMetrics();
             WebConsole console = WebConsole.start(new ConsoleSettings("127.0.0.1", 0, List.of(),
                     Duration.ofMinutes(30)), monitored, null, List.of(), metrics)) {
            WebDriver browser = ConsoleBrowserIT.chromium();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.ignoring(StaleElementReferenceException.class);
                // Checked in the page itself: asking the driver for 500 elements takes longer than the page does.
                WebDriverWait quick = new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(20));
                long opened = System.nanoTime();
                browser.get(console.url().toString());
                quick.until(b -> rowCount(b) == TABLES);
                long shownMillis = (System.nanoTime() - opened) / 1_000_000;
                Object navigationMillis = ((JavascriptExecutor) browser).executeScript(
                        "return Math.round(performance.now())");
                System.out.printf("console overview of %d tables shown %d ms after the page was asked for (%s ms "
                        + "since navigation start, as the page measures when asked)%n", TABLES, shownMillis,
                        navigationMillis);
                // The target is under a second on a running appliance (measured at the reload below); this bound, on
                // a cold server and browser, only catches a request that reads every log again.
                assertThat(shownMillis).as("ms until 500 rows are shown").isLessThan(5_000);
                assertThat(count(wait)).startsWith("500 tables · 1 failed, 1 retrying, 498 running");

                // The tables' figures are read in the background: every row shows its version soon.
                wait.until(b -> Boolean.TRUE.equals(((JavascriptExecutor) b).executeScript(
                        "return Array.from(document.querySelectorAll('#overview-body [data-testid=version]'))"
                                + ".every(cell => cell.textContent === '0')")));

                // A filter by name or topic, kept across the page's refreshes.
                browser.findElement(By.id("table-search")).sendKeys("table-12");
                wait.until(b -> count(wait).startsWith("10 of 500 tables"));
                assertThat(names(browser)).hasSize(10).allMatch(name -> name.startsWith("cdc.shop.table-12"));
                Thread.sleep(3_500); // one refresh of the page
                assertThat(count(wait)).startsWith("10 of 500 tables");
                assertThat(browser.findElement(By.id("table-search")).getAttribute("value")).isEqualTo("table-12");
                browser.findElement(By.id("table-search")).clear();
                browser.findElement(By.id("table-search")).sendKeys(" "); // clear() fires no input event
                wait.until(b -> count(wait).startsWith("500 tables"));

                new Select(browser.findElement(By.id("table-sort"))).selectByValue("lag");
                wait.until(b -> names(b).get(0).equals("cdc.shop.table-321"));
                assertThat(names(browser).get(1)).isEqualTo("cdc.shop.table-499");

                new Select(browser.findElement(By.id("table-sort"))).selectByValue("failures");
                wait.until(b -> names(b).get(0).equals("cdc.shop.table-007"));
                assertThat(names(browser).get(1)).isEqualTo("cdc.shop.table-123");

                new Select(browser.findElement(By.id("table-sort"))).selectByValue("freshness");
                wait.until(b -> names(b).get(0).equals("cdc.shop.table-250"));

                // The order is in the address: a reload (or a shared link) shows the same.
                assertThat(browser.getCurrentUrl()).endsWith("#/?sort=freshness");
                long reloaded = System.nanoTime();
                browser.navigate().refresh();
                quick.until(b -> rowCount(b) == TABLES && names(b).get(0).equals("cdc.shop.table-250"));
                System.out.printf("console overview of %d tables shown again %d ms after a reload%n", TABLES,
                        (System.nanoTime() - reloaded) / 1_000_000);
                assertThat(new Select(browser.findElement(By.id("table-sort"))).getFirstSelectedOption()
                        .getAttribute("value")).isEqualTo("freshness");
            } finally {
                browser.quit();
            }
        }
    }

    private static void copy(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(from)) {
            for (Path file : files.toList()) {
                java.nio.file.Files.copy(file, to.resolve(from.relativize(file).toString()));
            }
        }
    }

    private static String count(WebDriverWait wait) {
        return wait.until(b -> b.findElement(By.id("overview-count")).getText());
    }

    private static long rowCount(WebDriver browser) {
        return (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll('#overview-body tr.table-row').length");
    }

    /** The rows' pipeline names, in the order shown. */
    @SuppressWarnings("unchecked")
    private static List<String> names(WebDriver browser) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#overview-body tr.table-row'))"
                        + ".map(row => row.dataset.pipeline)");
    }

    /** What a running pipeline reports about itself, fixed. */
    private record ShownPipeline(String name, String topic, LakeTable table, PipelineState state, long lag,
                                 Instant newestRecord) implements PipelineView {
        @Override
        public PipelineStatus status() {
            return new PipelineStatus(name, state, state == PipelineState.FAILED ? "the writer schema is incompatible"
                    : null, 1, 1, newestRecord, List.of(new PartitionLag(topic, 0, 1_000, 1_000 + lag, lag)),
                    newestRecord);
        }

        @Override
        public List<BatchProgress> recentProgress() {
            return List.of();
        }

        @Override
        public String deadLetterDestination() {
            return "none";
        }

        @Override
        public boolean isPaused() {
            return false;
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void addProgressListener(Consumer<BatchProgress> listener) {
        }

        @Override
        public void addConsumerListener(ConsumerListener listener) {
        }
    }
}
