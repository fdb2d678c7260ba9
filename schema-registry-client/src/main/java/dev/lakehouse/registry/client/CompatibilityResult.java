package dev.lakehouse.registry.client;

import java.util.List;

/**
 * The answer to a compatibility test.
 *
 * @param compatible whether the registry would accept the schema
 * @param messages the registry's reasons when it would not (may be empty if the registry gives none)
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
