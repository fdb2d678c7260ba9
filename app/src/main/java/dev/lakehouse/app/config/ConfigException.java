package dev.lakehouse.app.config;

import java.util.List;

/**
 * The configuration cannot be used. Lists every problem found, each naming its key path (for example
 * {@code pipelines[0].trigger.interval}) and what is accepted, so one edit fixes them all.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super("invalid configuration " + source + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
