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

/** {@code lakehouse run --config FILE}: runs the configured pipelines until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the pipelines of a configuration file until stopped (SIGTERM or Ctrl-C).")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        ApplianceConfig loaded = ConfigLoader.load(config);
        Appliance appliance = Appliance.create(loaded);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopGracefully(appliance), "lakehouse-shutdown"));
        appliance.start();
        LOG.info("running {} pipeline(s) from {}; stop with SIGTERM or Ctrl-C", loaded.pipelines().size(), config);
        while (!appliance.awaitTermination(Duration.ofDays(1))) {
            // keep waiting: pipelines run until stopped
        }
        return appliance.anyFailed() ? 1 : 0;
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
