package dev.lakehouse.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus rules ({@code deploy/prometheus/}) are valid and alert when they should, checked by
 * Prometheus's own {@code promtool} (Debian's {@code prometheus} package): {@code check rules}, then
 * {@code test rules} over series shaped as the appliance exports them. That the names they use are the ones a real
 * scrape shows is {@code ConsoleApiIT}'s check ({@link #metricNames()}). Skipped without promtool unless
 * {@code LAKEHOUSE_REQUIRE_PROMETHEUS} is set (CI sets it, and installs the package): then it fails.
 */
public class PrometheusRulesTest {

    static final Path RULES_DIR = Path.of("..").toAbsolutePath().normalize().resolve("deploy/prometheus");

    @Test
    void theRulesAreValidAndTheirUnitTestsPass() throws Exception {
        Path promtool = promtool();
        assertThat(run(promtool, "check", "rules", "lakehouse-rules.yml")).contains("SUCCESS");
        assertThat(run(promtool, "test", "rules", "lakehouse-rules-test.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertHasASeverityAndASummary() throws Exception {
        String rules = Files.readString(RULES_DIR.resolve("lakehouse-rules.yml"));
        String[] alerts = rules.split("- alert: ");
        assertThat(alerts.length - 1).as("alerts").isGreaterThanOrEqualTo(6);
        for (int i = 1; i < alerts.length; i++) {
            String alert = alerts[i].split("\n      - ")[0];
            assertThat(alert).as(alert.lines().findFirst().orElse("")).containsPattern("severity: (critical|warning)")
                    .contains("summary:");
        }
    }

    /** The appliance's metric names the rules use (recorded series, {@code lakehouse:…}, left out). */
    public static Set<String> metricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(lakehouse_[a-z_]+)\\b")
                .matcher(Files.readString(RULES_DIR.resolve("lakehouse-rules.yml")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Path promtool() {
        for (String candidate : List.of("/usr/bin/promtool", "/usr/local/bin/promtool")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        String message = "promtool is not installed (Debian's package prometheus)";
        if (System.getenv("LAKEHOUSE_REQUIRE_PROMETHEUS") != null) {
            throw new IllegalStateException(message + ", and LAKEHOUSE_REQUIRE_PROMETHEUS is set");
        }
        Assumptions.abort(message);
        return null;
    }

    private static String run(Path promtool, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(RULES_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ends").isTrue();
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }
}
