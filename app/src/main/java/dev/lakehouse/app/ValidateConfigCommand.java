package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.config.EffectiveConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lakehouse validate-config --config FILE}: checks a configuration without connecting to anything and
 * prints it as it will be used, defaults filled in and secrets masked.
 */
@Command(name = "validate-config", mixinStandardHelpOptions = true,
        description = "Checks a configuration file and prints the effective configuration (secrets masked).")
final class ValidateConfigCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ApplianceConfig loaded = ConfigLoader.load(config);
        Appliance.check(loaded);
        spec.commandLine().getOut().println("# " + config + ": valid, " + loaded.pipelines().size() + " pipeline(s)");
        spec.commandLine().getOut().print(EffectiveConfig.render(loaded));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
