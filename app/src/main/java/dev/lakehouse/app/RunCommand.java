package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse run --config FILE}: runs the configured pipelines until SIGTERM or Ctrl-C; with {@code --once},
 * a catch-up run that ingests up to the end offsets the partitions have at start, commits and exits (0, or 1 when a
 * pipeline failed, its error in the log and on the error stream).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the pipelines of a configuration file until stopped (SIGTERM or Ctrl-C), or with --once "
                + "until every partition is ingested up to its end offset at start.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
    Path config;

    @Option(names = "--once", description = "A catch-up run: ingest every assigned partition up to its end offset "
            + "at start, commit, and exit 0 (1 if a pipeline failed). No maintenance, no console.")
    boolean once;

    @Override
    public Integer call() throws Exception {
        ApplianceConfig loaded = ConfigLoader.load(config);
        Appliance appliance = Appliance.create(loaded,
                once ? Appliance.RunMode.CATCH_UP : Appliance.RunMode.CONTINUOUS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopGracefully(appliance), "lakehouse-shutdown"));
        appliance.start();
        if (once) {
            LOG.info("catch-up run of {} pipeline(s) from {}: ingesting up to the current end offsets",
                    appliance.pipelines().size(), config);
        } else {
            LOG.info("running {} pipeline(s) from {}; stop with SIGTERM or Ctrl-C", appliance.pipelines().size(),
                    config);
        }
        while (!appliance.awaitTermination(Duration.ofDays(1))) {
            // keep waiting: pipelines run until stopped (or, with --once, until caught up)
        }
        if (once) {
            appliance.close(); // releases leases and instance locks before the exit
        }
        if (appliance.anyFailed()) {
            appliance.failures().forEach(failure -> spec.commandLine().getErr().println("error: " + failure));
            return 1;
        }
        if (once) {
            LOG.info("catch-up run done: every pipeline committed up to the end offsets of the partitions it was "
                    + "given (a pipeline given none said why above)");
        }
        return 0;
    }

    static void stopGracefully(Appliance appliance) {
        LOG.info("stopping: committing open batches");
        appliance.stop();
        try {
            if (!appliance.awaitTermination(Duration.ofMinutes(2))) {
                LOG.warn("pipelines did not stop within 2 minutes; uncommitted records will be read again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
