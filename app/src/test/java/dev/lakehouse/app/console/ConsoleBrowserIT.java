package dev.lakehouse.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's chromium, headless, driven through Debian's chromedriver, against an
 * appliance ingesting from a real broker. {@code .ci/run} installs both packages and sets
 * {@code LAKEHOUSE_REQUIRE_BROWSER=1}, so there a missing browser fails the test instead of skipping it.
 * Screenshots go to {@code app/target/console-screenshots/}.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class ConsoleBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path dir;

    @Test
    void viewerSeesTablesLagAndChartsButIsRefusedActionsOperatorPausesAndResumes(LocalKafkaBroker kafka,
                                                                              SchemaRegistryServer registry)
            throws Exception {
        assumeBrowser();

        try (ConsoleFixture fixture = new ConsoleFixture(kafka, registry, dir, true)) {
            fixture.produceAndWait(2000);
            fixture.produceHostileRecord();
            fixture.produceAndWait(1000);
            WebDriver browser = chromium();
            try {
                // The page re-renders every 3 s: elements are found again for every step, never kept.
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.ignoring(StaleElementReferenceException.class);
                browser.get(fixture.url.toString());
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-needed")));

                // A viewer sees the table row with its state and lag ...
                logIn(browser, wait, ConsoleFixture.VIEWER, ConsoleFixture.VIEWER_PASSWORD);
                By row = By.cssSelector("tr[data-pipeline='orders']");
                assertThat(text(wait, row, "[data-testid='state']")).isEqualTo("RUNNING");
                assertThat(text(wait, row, "[data-testid='lag']")).matches("[0-9,]+");
                assertThat(Long.parseLong(text(wait, row, "[data-testid='version']").replace(",", ""))).isPositive();
                // The freshness objective under the freshness: the share of records in time, and the objective.
                assertThat(text(wait, row, "[data-testid='objective']")).matches("[0-9.]+ % of 99% within 2s");

                // ... but no operator's buttons (the API refuses a viewer's action anyway: ConsoleApiIT).
                assertThat(browser.findElements(By.cssSelector("tr[data-pipeline='orders'] button"))).isEmpty();
                assertThat(fixture.appliance.pipelines().get(0).isPaused()).isFalse();

                // Dead letters: a payload that is markup is shown as text and never runs.
                browser.get(fixture.url + "#/table/orders");
                By examples = By.id("dead-letter-examples");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(examples, "WRONG_MAGIC_BYTE"));
                String shown = wait.until(b -> b.findElement(examples).getText());
                assertThat(shown)
                        .contains(ConsoleFixture.HOSTILE_VALUE).contains("<b>key</b>");
                assertThat(script(browser, "const t = document.getElementById('dead-letter-examples');"
                        + " return t.querySelectorAll('img, b, script').length;")).isEqualTo(0L);
                assertThat(script(browser, "return window.__xss === undefined;")).isEqualTo(true);
                assertThat(browser.findElement(By.id("dead-letter-reasons")).getText())
                        .contains("Reason Pending Sent since start").contains("WRONG_MAGIC_BYTE 1 1");
                assertThat(script(browser, "return Chart.getChart(document.getElementById('chart-file-sizes'))"
                        + ".data.datasets[0].data.reduce((a, b) => a + b, 0);")).isNotEqualTo(0L);
                screenshot(browser, "table.png");

                // Lag view: partitions with numbers, and the lag and rate charts drawn with points.
                browser.get(fixture.url + "#/lag/orders");
                wait.until(b -> ((Number) script(b, "return document.querySelectorAll('#partitions-lag tbody tr')"
                        + ".length;")).intValue() == 2);
                assertThat(script(browser, "return Array.from(document.querySelectorAll('#partitions-lag .lag-value'))"
                        + ".map(c => c.textContent).join(' ');").toString()).matches("[0-9,]+ [0-9,]+");
                wait.until(b -> ((Number) script(b, "const c = Chart.getChart(document.getElementById('chart-lag'));"
                        + " return c ? c.data.labels.length : 0;")).intValue() >= 3);
                assertThat(((Number) script(browser, "return Chart.getChart(document.getElementById('chart-rates'))"
                        + ".data.datasets.length;")).intValue()).isEqualTo(2);
                assertThat(((Number) script(browser, "return document.getElementById('chart-lag').width;"))
                        .intValue()).isPositive();
                // Freshness: the newest committed record's age, and the objective's share in time, both plotted.
                assertThat(script(browser, "return Chart.getChart(document.getElementById('chart-freshness'))"
                        + ".data.datasets.map(d => d.label).join(', ');")).isEqualTo("freshness (s), % in time (99% "
                        + "within 2s)");
                wait.until(b -> ((Number) script(b, "return Chart.getChart(document.getElementById('chart-freshness'))"
                        + ".data.datasets[1].data.filter(v => v !== null && v >= 0 && v <= 100).length;"))
                        .intValue() >= 1);
                screenshot(browser, "lag.png");

                // Audit page: the objective, and the log's offset audit run in the background, one line per partition.
                click(wait, By.linkText("Audit"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-verdict"),
                        "Every offset taken is in the table exactly once"));
                assertThat(browser.findElement(By.id("audit-objective")).getText()).contains("99% within 2s over 1h");
                assertThat(browser.findElements(By.id("audit-problems"))).isEmpty();
                assertThat(script(browser, "return Array.from(document.querySelectorAll('#audit-partitions tbody tr'))"
                        + ".map(r => r.lastChild.textContent).join(', ');")).isEqualTo("every offset once, every "
                        + "offset once");
                screenshot(browser, "audit.png");

                // An operator pauses and resumes the pipeline from the overview.
                click(wait, By.id("logout"));
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
                browser.get(fixture.url + "#/");
                logIn(browser, wait, ConsoleFixture.OPERATOR, ConsoleFixture.OPERATOR_PASSWORD);
                click(wait, By.cssSelector("tr[data-pipeline='orders'] button.pause"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "orders paused"));
                wait.until(b -> text(wait, row, "[data-testid='state']").equals("PAUSED"));
                assertThat(fixture.appliance.pipelines().get(0).isPaused()).isTrue();
                screenshot(browser, "overview-paused.png");
                click(wait, By.cssSelector("tr[data-pipeline='orders'] button.resume"));
                wait.until(b -> text(wait, row, "[data-testid='state']").equals("RUNNING"));
                assertThat(fixture.appliance.pipelines().get(0).isPaused()).isFalse();

                List<String> violations = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                        .map(LogEntry::getMessage)
                        .filter(m -> !m.contains("/api/")) // the refused action's 403 is logged by the browser
                        .toList();
                assertThat(violations).as("no script errors and no Content-Security-Policy violations").isEmpty();
            } finally {
                browser.quit();
            }
        }
    }

    /**
     * Skips the test when Debian's chromium and chromedriver are missing, or fails it when
     * {@code LAKEHOUSE_REQUIRE_BROWSER=1} (as {@code .ci/run} sets).
     */
    static void assumeBrowser() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if ("1".equals(System.getenv("LAKEHOUSE_REQUIRE_BROWSER"))) {
            assertThat(installed).as("chromium and chromedriver at /usr/bin (apt-get install chromium "
                    + "chromium-driver)").isTrue();
        }
        assumeTrue(installed, "Debian's chromium and chromium-driver are not installed; .ci/run installs them");
    }

    /** Debian's chromium, headless, through chromedriver; the caller quits it. */
    static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Flags for a sandboxed CI machine without network: no background connections, no first-run UI.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void logIn(WebDriver browser, WebDriverWait wait, String user, String password) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-user"))).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("whoami"), user));
    }

    /** The text of {@code inner} within the element {@code outer} names, as soon as it is there. */
    private static String text(WebDriverWait wait, By outer, String inner) {
        return wait.until(b -> b.findElement(outer).findElement(By.cssSelector(inner)).getText());
    }

    private static void click(WebDriverWait wait, By button) {
        wait.until(b -> {
            WebElement element = b.findElement(button);
            if (!element.isDisplayed() || !element.isEnabled()) {
                return false;
            }
            element.click();
            return true;
        });
    }

    private static Object script(WebDriver browser, String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name), png);
    }
}
