package dev.lakehouse.testkit;

import java.util.concurrent.atomic.AtomicInteger;

/** Unique names for topics, groups and subjects, so tests sharing one broker never see each other's data. */
public final class TestNames {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TestNames() {
    }

    /** {@code prefix-<pid>-<n>}: unique within and across test JVMs on one broker. */
    public static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }
}
