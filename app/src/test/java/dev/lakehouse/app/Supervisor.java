package dev.lakehouse.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a container runtime or systemd does for the appliance: keeps one {@code bin/lakehouse run} process alive,
 * starting it again whenever it exits, and counts the exits it did not cause.
 */
final class Supervisor implements AutoCloseable {

    private final Path config;
    private final Path log;
    private final Thread watcher;
    private final AtomicInteger exitsOnTheirOwn = new AtomicInteger();
    private final AtomicInteger starts = new AtomicInteger();
    private volatile Process process;
    private volatile boolean expectingExit;
    private volatile boolean stopped;

    /** Starts the process and watches it. */
    Supervisor(Path config, Path log) {
        this.config = config;
        this.log = log;
        this.process = launch();
        this.watcher = new Thread(this::watch, "test-supervisor-" + config.getFileName());
        this.watcher.setDaemon(true);
        this.watcher.start();
    }

    /** SIGKILLs the current process; the supervisor starts a new one. */
    synchronized void kill() throws InterruptedException {
        expectingExit = true;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Processes that exited without being killed or stopped by this supervisor. */
    int exitsOnTheirOwn() {
        return exitsOnTheirOwn.get();
    }

    /** How many processes were started. */
    int starts() {
        return starts.get();
    }

    /**
     * Stops supervising and SIGTERMs the current process.
     *
     * @return its exit status (143 or 0 after a graceful stop)
     */
    int stop() throws InterruptedException {
        synchronized (this) {
            stopped = true;
            expectingExit = true;
        }
        watcher.join(TimeUnit.SECONDS.toMillis(10));
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (!stopped) {
            stop();
        }
    }

    private void watch() {
        while (!stopped) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (stopped || process.isAlive()) {
                    continue;
                }
                if (!expectingExit) {
                    exitsOnTheirOwn.incrementAndGet();
                }
                expectingExit = false;
                process = launch();
            }
        }
    }

    private Process launch() {
        try {
            starts.incrementAndGet();
            return ApplianceProcess.startInstalled(config, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
