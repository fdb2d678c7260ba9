package dev.lakehouse.benchmarks;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rolling restart under steady load, as an operator upgrades a StatefulSet: {@code rolling.instances}
 * {@code bin/lakehouse run} processes (their own JVMs, default options, fixed instance ids, the shipped
 * {@code leave-group-on-stop: true}, 1 s trigger) share one table and one consumer group on a topic of
 * {@code rolling.partitions} partitions while orders arrive at {@code rolling.rate}/s. After
 * {@code rolling.before-seconds} each instance in turn is stopped ({@code SIGTERM}, or {@code SIGKILL} for the
 * {@code sigkill} mode), started again with the same id and configuration, and the next one follows
 * {@code rolling.pause-seconds} after the restarted one's {@code /health/ready}; production goes on
 * {@code rolling.after-seconds} after the last is ready.
 *
 * <p>Freshness is measured per record: the time from its send to the Delta log entry whose offsets cover its
 * partition and offset, for the records sent before the first stop, during the restarts (until the last restarted
 * instance is ready plus the pause) and after; also the longest time any partition went without a commit while
 * records arrived, each restart's launch to its first commit (from its own progress log), and whether the table
 * holds every record once (rows against records sent, every partition's committed offset at its end).
 * {@code rolling.modes}: {@code sigterm,sigkill} (default both, each on a new topic and table).
 */
final class RollingRestartBenchmark {

    private static final Pattern PROGRESS_TIME = Pattern.compile(
            "INFO progress - \\{.*?\"timestamp\":\"([^\"]+)\".*?\"outcome\":\"COMMITTED\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RollingRestartBenchmark() {
    }

    static void run() {
        int rate = Integer.getInteger("rolling.rate", 20_000);
        int instances = Integer.getInteger("rolling.instances", 3);
        int partitions = Integer.getInteger("rolling.partitions", 6);
        List<String> modes = List.of(System.getProperty("rolling.modes", "sigterm,sigkill").split(","));
        try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().heap("1g").start();
             SchemaRegistryServer registryServer = SchemaRegistryServer.builder().start();
             SchemaRegistryClient registry = SchemaRegistryClient.connect(
                     RegistryClientConfig.builder(registryServer.url()).build())) {
            for (String mode : modes) {
                measure(kafka, registryServer, registry, mode.trim(), rate, instances, partitions);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One appliance of the group: its configuration, console port and current process. */
    private static final class Member {
        final String id;
        final Path config;
        final int port;
        final Path work;
        InstalledAppliance process;
        int launches;

        Member(String id, Path config, int port, Path work) {
            this.id = id;
            this.config = config;
            this.port = port;
            this.work = work;
        }

        /** Launches it, its output in a folder per launch; returns the launch's wall-clock time. */
        Instant launch() throws IOException {
            Path dir = work.resolve(id + "-" + ++launches);
            Files.createDirectories(dir);
            Instant at = Instant.now();
            process = InstalledAppliance.launch(null, null, dir, "run", "--config", config.toString());
            return at;
        }

        Path log() {
            return work.resolve(id + "-" + launches).resolve("appliance.log");
        }
    }

    private static void measure(LocalKafkaBroker kafka, SchemaRegistryServer registryServer,
                                SchemaRegistryClient registry, String mode, int rate, int instances, int partitions)
            throws IOException, InterruptedException {
        int before = Integer.getInteger("rolling.before-seconds", 20);
        int pause = Integer.getInteger("rolling.pause-seconds", 10);
        int after = Integer.getInteger("rolling.after-seconds", 20);
        boolean kill = mode.equals("sigkill");
        String topic = "rolling-" + mode + "-" + System.nanoTime() % 100_000;
        kafka.createTopic(topic, partitions);
        Path work = Files.createTempDirectory("rolling-bench");
        Path table = work.resolve("orders");
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= instances; i++) {
            String id = "acc-" + i;
            int port = freePort();
            Path config = BenchmarkConfig.write(work.resolve(id + ".yaml"), "orders", kafka.bootstrapServers(),
                    topic, registryServer.url(), table, p -> p.set("instance-id", id)
                            .set("source.group-id", "rolling-" + topic)
                            .set("source.leave-group-on-stop", true));
            Files.writeString(config, Files.readString(config).replaceFirst("port: 0", "port: " + port));
            members.add(new Member(id, config, port, work));
        }
        for (Member member : members) {
            member.launch();
        }
        for (Member member : members) {
            awaitReady(member, Duration.ofMinutes(2));
        }

        FreshnessBenchmark.SendTimes sendTimes = new FreshnessBenchmark.SendTimes();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLongArray window = new AtomicLongArray(2);
        // Long enough for the whole sequence; the orchestration below ends production itself.
        int seconds = before + instances * (pause + 60) + after;
        Thread producer = new Thread(() -> FreshnessBenchmark.produce(kafka.bootstrapServers(), registry, topic, rate,
                0, seconds, sendTimes, window, producing), "rolling-producer");
        producer.start();
        AtomicLongArray phases = new AtomicLongArray(2); // nanoTime of the first stop, and of the restarts' end
        List<String> restarts = new ArrayList<>();
        Thread orchestration = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(before);
                phases.set(0, System.nanoTime());
                for (Member member : members) {
                    long stopping = System.nanoTime();
                    if (kill) {
                        member.process.process().destroyForcibly();
                    } else {
                        member.process.process().destroy();
                    }
                    member.process.waitFor();
                    double stopSeconds = (System.nanoTime() - stopping) / 1e9;
                    Instant launched = member.launch();
                    long launchedNanos = System.nanoTime();
                    awaitReady(member, Duration.ofMinutes(2));
                    double readySeconds = (System.nanoTime() - launchedNanos) / 1e9;
                    restarts.add(member.id + ": stopped in " + String.format("%.1f s", stopSeconds) + ", ready "
                            + String.format("%.1f s", readySeconds) + " after launch, first commit "
                            + firstCommitSeconds(member, launched, Duration.ofSeconds(60)));
                    TimeUnit.SECONDS.sleep(pause);
                }
                phases.set(1, System.nanoTime());
                TimeUnit.SECONDS.sleep(after);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                producing.set(false); // ends production; the producer flushes what it sent
            }
        }, "rolling-orchestration");
        orchestration.start();

        DeltaLogTail tail = new DeltaLogTail(table);
        long[] readable = new long[partitions];
        long[] lastAdvance = new long[partitions];
        long[] longestGap = new long[partitions];
        int[][] histograms = new int[3][600_000];
        long[] counts = new long[3];
        long[] max = new long[3];
        long startNanos = System.nanoTime();
        Arrays.fill(lastAdvance, startNanos);
        while (producer.isAlive() || orchestration.isAlive() || readableBelowSent(readable, sendTimes, partitions)) {
            for (DeltaLogTail.Commit commit : tail.poll()) {
                for (int p = 0; p < partitions; p++) {
                    Long next = commit.nextOffsets().get("orders/" + topic + "/" + p);
                    if (next == null || next <= readable[p]) {
                        continue;
                    }
                    if (phases.get(0) != 0 && producer.isAlive()) {
                        longestGap[p] = Math.max(longestGap[p], commit.seenNanos() - lastAdvance[p]);
                    }
                    lastAdvance[p] = commit.seenNanos();
                    for (long offset = readable[p]; offset < next; offset++) {
                        long sent = sendTimes.get(p, offset);
                        if (sent == 0) {
                            continue;
                        }
                        int phase = phases.get(0) == 0 || sent < phases.get(0) ? 0
                                : phases.get(1) == 0 || sent < phases.get(1) ? 1 : 2;
                        long millis = Math.max(0, (commit.seenNanos() - sent) / 1_000_000);
                        histograms[phase][(int) Math.min(millis, histograms[phase].length - 1)]++;
                        max[phase] = Math.max(max[phase], millis);
                        counts[phase]++;
                    }
                    readable[p] = next;
                }
            }
            TimeUnit.MILLISECONDS.sleep(5);
            if (System.nanoTime() - startNanos > TimeUnit.SECONDS.toNanos(seconds + 300L)) {
                System.out.println("rolling " + mode + ": gave up waiting for the table to hold every record");
                break;
            }
        }
        orchestration.join();
        producer.join();
        long sent = 0;
        for (int p = 0; p < partitions; p++) {
            sent += sendTimes.count(p);
        }
        for (Member member : members) {
            member.process.close();
        }
        long rows = LakeTable.open(TableOptions.builder(table.toUri().toString()).build()).snapshot()
                .totalRecords();
        long committed = Arrays.stream(readable).sum();
        System.out.printf("rolling restart (%s) of %d appliances, %d partitions, %,d records/s offered: %,d sent, "
                        + "%,d rows in the table, %,d offsets committed (%s)%n", mode.toUpperCase(), instances,
                partitions, rate, sent, rows, committed, rows == sent && committed == sent ? "every record once"
                        : "NOT every record once");
        String[] names = {"before", "during", "after"};
        for (int phase = 0; phase < 3; phase++) {
            System.out.printf("  freshness %s the restarts (%,d records): p50 %,d ms, p99 %,d ms, max %,d ms%n",
                    names[phase], counts[phase], Measurement.percentileMillis(histograms[phase], counts[phase], 0.50),
                    Measurement.percentileMillis(histograms[phase], counts[phase], 0.99), max[phase]);
        }
        System.out.printf("  longest time a partition went without a commit during and after the restarts: %.1f s "
                + "(per partition: %s)%n", Arrays.stream(longestGap).max().orElse(0) / 1e9,
                Arrays.stream(longestGap).mapToObj(g -> String.format("%.1f", g / 1e9)).toList());
        restarts.forEach(r -> System.out.println("  " + r));
    }

    /** Seconds from a launch to the first committed batch its log reports, or "none" within the deadline. */
    private static String firstCommitSeconds(Member member, Instant launched, Duration deadline)
            throws InterruptedException, IOException {
        long until = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < until) {
            if (Files.exists(member.log())) {
                for (String line : Files.readAllLines(member.log())) {
                    Matcher m = PROGRESS_TIME.matcher(line);
                    if (m.find()) {
                        return String.format("%.1f s after launch",
                                Duration.between(launched, Instant.parse(m.group(1))).toMillis() / 1e3);
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return "none within " + deadline.toSeconds() + " s";
    }

    /** Waits until the member's {@code /health/ready} answers 200. */
    private static void awaitReady(Member member, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + member.port + "/health/ready");
        while (System.nanoTime() < until) {
            if (!member.process.process().isAlive()) {
                throw new IllegalStateException(member.id + " exited; see " + member.log());
            }
            try {
                HttpResponse<Void> answer = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException(member.id + " not ready within " + deadline + "; see " + member.log());
    }

    private static boolean readableBelowSent(long[] readable, FreshnessBenchmark.SendTimes sent, int partitions) {
        for (int p = 0; p < partitions; p++) {
            if (readable[p] < sent.count(p)) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
