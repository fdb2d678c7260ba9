package dev.lakehouse.app;

import dev.lakehouse.app.demo.OrderGenerator;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Avro orders (ids 0, 1, 2, …) produced on a thread of their own at a steady rate until {@link #stop()}, so that
 * every run of an appliance under test has records to ingest.
 */
public final class BackgroundOrders implements AutoCloseable {

    private static final int TICKS_PER_SECOND = 10;

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile long produced;

    /** Starts producing {@code perSecond} orders a second to {@code topic}. */
    public BackgroundOrders(String bootstrapServers, String registryUrl, String topic, int perSecond) {
        this(bootstrapServers, registryUrl, topic, perSecond, 0);
    }

    /** As above, with ids from {@code firstOrderId} on. */
    public BackgroundOrders(String bootstrapServers, String registryUrl, String topic, int perSecond,
                            long firstOrderId) {
        thread = new Thread(() -> {
            try (SchemaRegistryClient client = SchemaRegistryClient.connect(
                    RegistryClientConfig.builder(registryUrl).build());
                 OrderGenerator generator = new OrderGenerator(bootstrapServers, client, topic, firstOrderId,
                         Clock.systemUTC())) {
                while (!stopRequested) {
                    generator.produce(Math.max(1, perSecond / TICKS_PER_SECOND));
                    produced = generator.nextOrderId();
                    TimeUnit.MILLISECONDS.sleep(1000 / TICKS_PER_SECOND);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "test-orders-" + topic);
        thread.start();
    }

    /** Orders acknowledged by the broker so far. */
    public long produced() {
        return produced;
    }

    /**
     * Stops producing and returns how many orders were produced (ids 0 to that number minus one).
     *
     * @throws AssertionError if producing failed
     */
    public long stop() throws InterruptedException {
        stopRequested = true;
        thread.join(TimeUnit.MINUTES.toMillis(2));
        if (failure.get() != null) {
            throw new AssertionError("producing orders failed", failure.get());
        }
        return produced;
    }

    @Override
    public void close() throws InterruptedException {
        stopRequested = true;
        thread.join(TimeUnit.MINUTES.toMillis(2));
    }
}
