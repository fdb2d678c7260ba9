package dev.lakehouse.app;

import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse generate-orders}: the demo's Avro order generator against any broker and registry (the
 * deployment's demo producer). Registers the order schema under {@code <topic>-value}.
 */
@Command(name = "generate-orders", mixinStandardHelpOptions = true,
        description = "Produces demo Avro orders (Confluent wire format) to a topic at a steady rate.")
final class GenerateOrdersCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "The Kafka cluster.")
    String bootstrapServers;

    @Option(names = "--registry-url", required = true, description = "The schema registry.")
    String registryUrl;

    @Option(names = "--topic", defaultValue = "orders", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rate", defaultValue = "500", description = "Orders per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--count", description = "Stop after this many orders; default: until stopped.")
    Long count;

    @Option(names = "--first-order-id", defaultValue = "0", description = "The first order id (default: ${DEFAULT-VALUE}).")
    long firstOrderId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (SchemaRegistryClient registry = SchemaRegistryClient.connect(RegistryClientConfig.builder(registryUrl).build());
             OrderGenerator generator = new OrderGenerator(bootstrapServers, registry, topic, firstOrderId,
                     Clock.systemUTC())) {
            spec.commandLine().getOut().println("producing orders to " + topic + " at " + rate + "/s");
            spec.commandLine().getOut().flush();
            if (count != null) {
                generator.produce(count);
            } else {
                generator.runAtRate(rate);
            }
            spec.commandLine().getOut().println("produced " + (generator.nextOrderId() - firstOrderId) + " orders");
        }
        return 0;
    }
}
