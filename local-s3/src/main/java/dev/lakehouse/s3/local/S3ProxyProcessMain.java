package dev.lakehouse.s3.local;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

/**
 * Entry point of the child JVM that {@link LocalS3Server} launches: exits when the parent's end of standard input
 * closes (the parent died in any way, even SIGKILL), then runs s3proxy's own main by reflection.
 */
final class S3ProxyProcessMain {

    private S3ProxyProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() != -1) {
                    // only end-of-file matters
                }
            } catch (IOException ignored) {
                // a broken pipe means the parent is gone too
            }
            Runtime.getRuntime().halt(0);
        }, "local-s3-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName("org.gaul.s3proxy.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
