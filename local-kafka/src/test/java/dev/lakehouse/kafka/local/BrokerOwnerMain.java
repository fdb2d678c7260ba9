package dev.lakehouse.kafka.local;

/**
 * A process that owns a broker and never stops it: the parent of {@link LocalKafkaBrokerIT#aKilledParentTakesItsBrokerAlong}.
 * Prints the broker's pid, then waits until it is killed.
 */
public final class BrokerOwnerMain {

    private BrokerOwnerMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalKafkaBroker broker = LocalKafkaBroker.builder().start();
        System.out.println("BROKER_DIR " + broker.dataDir());
        System.out.println("BROKER_PID " + broker.pid());
        System.out.flush();
        Thread.currentThread().join();
    }
}
