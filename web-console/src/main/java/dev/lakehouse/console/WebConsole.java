package dev.lakehouse.console;

import dev.lakehouse.compaction.MaintenanceControl;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.staticfiles.Location;
import java.net.URI;
import dev.lakehouse.common.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's HTTP console: a page, its JSON API, Prometheus metrics and health endpoints.
 *
 * <dl>
 * <dt>Reads</dt><dd>{@code GET /api/overview}, {@code /api/tables/{name}}, {@code /api/tables/{name}/lag},
 * {@code /api/tables/{name}/audit} (the last offset audit of the table's log, started in the background when there is
 * none or it is stale: {@link TableAudits}), {@code /api/session}. With users configured they need a login (any
 * role); without, anyone who can reach the loopback address may read.</dd>
 * <dt>Actions</dt><dd>{@code POST /api/pipelines/{name}/pause|resume}, {@code POST /api/tables/{name}/compact}:
 * an {@link ConsoleRole#OPERATOR} session and its CSRF token in the {@code X-CSRF-Token} header. Refused with 403
 * otherwise, and always refused when no users are configured (read-only console). Each action is logged with the
 * user.</dd>
 * <dt>Always open</dt><dd>{@code /metrics} (Prometheus text), {@code /health/live} (the process serves),
 * {@code /health/ready} (every {@link HealthCheck} up: 200, else 503 with the failing checks).</dd>
 * </dl>
 *
 * <p>Logins ({@code POST /api/login}) are throttled per user ({@link LoginThrottle}): a locked user gets 429 with
 * {@code Retry-After}.
 *
 * <p>Every response carries a strict Content-Security-Policy (scripts and styles from this origin only, no inline
 * script, no framing); the page writes every value as text, never as markup. Sessions are in memory.
 */
public final class WebConsole implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebConsole.class);
    static final String SESSION_COOKIE = "lakehouse_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);
    /** 30 minutes of samples. */
    private static final int SAMPLES_KEPT = 900;
    /** Rates are averaged over this much history: several trigger intervals at the usual 1-5 s triggers. */
    private static final Duration RATE_WINDOW = Duration.ofSeconds(30);
    private static final Duration READINESS_CACHE = Duration.ofSeconds(5);

    private final ConsoleSettings settings;
    private final ConsoleData data;
    private final MaintenanceControl maintenance;
    private final List<HealthCheck> checks;
    private final ApplianceMetrics metrics;
    /** Logins, sessions and who may do what. */
    private final ConsoleAuth auth;
    private final Map<String, LagHistory> lagHistories = new java.util.concurrent.ConcurrentHashMap<>();
    private final TableAudits audits;
    private final ScheduledExecutorService sampler;
    private final Javalin server;
    private final Clock clock;
    private volatile Views.HealthView readiness;
    private volatile Instant readinessAt = Instant.EPOCH;

    private WebConsole(ConsoleSettings settings, List<MonitoredTable> tables, MaintenanceControl maintenance,
                       List<HealthCheck> checks, ApplianceMetrics metrics, Clock clock, Sleeper sleeper) {
        this.settings = settings;
        this.maintenance = maintenance;
        this.checks = new java.util.concurrent.CopyOnWriteArrayList<>(checks);
        this.metrics = metrics;
        this.clock = clock;
        this.auth = new ConsoleAuth(settings, clock, sleeper);
        tables.forEach(t -> lagHistories.put(t.name(), new LagHistory(SAMPLES_KEPT, RATE_WINDOW)));
        this.data = new ConsoleData(tables, maintenance, lagHistories, clock);
        this.audits = new TableAudits(clock);
        // Two threads: one samples lag, one renews the tables' figures (a slow storage delays only the latter).
        this.sampler = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "lakehouse-console-sampler");
            thread.setDaemon(true);
            return thread;
        });
        this.server = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/console";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
        });
        routes();
    }

    /**
     * Starts the console and its sampler (lag and rates every 2 s, kept for 30 minutes; the tables' figures read
     * in the background, so that the overview of hundreds of tables answers at once).
     *
     * @param tables the pipelines and tables to show
     * @param maintenance their compaction jobs, or null when there are none (compact-now is then refused)
     * @param checks the readiness conditions
     * @param metrics the registry {@code /metrics} exposes
     * @throws IllegalStateException if the port cannot be bound (the message names host and port)
     */
    public static WebConsole start(ConsoleSettings settings, List<MonitoredTable> tables,
                                   MaintenanceControl maintenance, List<HealthCheck> checks,
                                   ApplianceMetrics metrics) {
        WebConsole console = new WebConsole(settings, tables, maintenance, checks, metrics, Clock.systemUTC(),
                Sleeper.system());
        try {
            console.server.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            console.sampler.shutdownNow();
            throw new IllegalStateException("the console cannot listen on " + settings.host() + ":" + settings.port()
                    + " (" + e.getMessage() + "); set console.port to a free port", e);
        }
        console.sampler.scheduleAtFixedRate(console::sample, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        console.sampler.scheduleWithFixedDelay(console::refreshFigures, SAMPLE_EVERY.toMillis(),
                SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("console at {} ({})", console.url(), settings.loginRequired() ? "login required"
                : "read-only, localhost only");
        return console;
    }

    /**
     * Shows a table that appeared while running (a topic's own table, created when the topic was first seen), with
     * its readiness conditions; from the next sample on it has lag and rates like the others.
     *
     * @throws IllegalArgumentException if a table of that name is shown already
     */
    public void addTable(MonitoredTable table, List<HealthCheck> tableChecks) {
        if (lagHistories.putIfAbsent(table.name(), new LagHistory(SAMPLES_KEPT, RATE_WINDOW)) != null) {
            throw new IllegalArgumentException("the console shows a table named " + table.name() + " already");
        }
        data.add(table);
        checks.addAll(tableChecks);
        readinessAt = Instant.EPOCH; // the cached answer did not ask the new checks
    }

    /**
     * Stops showing a table (its topic was deleted) and drops its readiness checks, so the overview, the lag history
     * and readiness no longer mention it.
     *
     * @param tableChecks the checks given for the table, at start or by {@link #addTable}
     */
    public void removeTable(String name, List<HealthCheck> tableChecks) {
        data.remove(name);
        lagHistories.remove(name);
        audits.forget(name);
        checks.removeAll(tableChecks);
        for (HealthCheck check : tableChecks) {
            if (check instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("closing the readiness check {}: {}", check.name(), e.toString());
                }
            }
        }
        readinessAt = Instant.EPOCH;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.port();
    }

    /** The page's address. */
    public URI url() {
        String host = settings.host().equals("0.0.0.0") ? "localhost" : settings.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        audits.close();
        server.stop();
        for (HealthCheck check : checks) {
            if (check instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("health check {} did not close cleanly: {}", check.name(), e.toString());
                }
            }
        }
    }

    private void refreshFigures() {
        try {
            data.refreshStale();
        } catch (RuntimeException e) {
            LOG.warn("console: renewing the tables' figures failed: {}", e.toString());
        }
    }

    private void sample() {
        long now = clock.millis();
        for (MonitoredTable table : data.tables()) {
            try {
                lagHistories.get(table.name()).record(table.pipeline().status(), now);
            } catch (RuntimeException e) {
                LOG.warn("console: sampling {} failed: {}", table.name(), e.toString());
            }
        }
    }

    // ---- routes ----

    private void routes() {
        server.before(ctx -> {
            ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Referrer-Policy", "no-referrer");
            if (ctx.path().startsWith("/api/")) {
                ctx.header("Cache-Control", "no-store");
            }
        });
        server.before("/api/*", auth::requireViewer);
        server.exception(HttpResponseException.class, (e, ctx) ->
                ctx.status(e.getStatus()).json(Map.of("error", e.getMessage())));
        server.exception(Exception.class, (e, ctx) -> {
            LOG.warn("console: {} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).json(Map.of("error", String.valueOf(e.getMessage())));
        });

        server.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        server.get("/health/ready", ctx -> {
            Views.HealthView view = readiness();
            ctx.status(view.status().equals("UP") ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(view);
        });
        server.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));

        server.get("/api/session", auth::showSession);
        server.post("/api/login", auth::login);
        server.post("/api/logout", auth::logout);
        server.get("/api/overview", ctx -> ctx.json(data.overview()));
        server.get("/api/tables/{name}", ctx -> ctx.json(data.detail(table(ctx))));
        server.get("/api/tables/{name}/lag", ctx -> ctx.json(data.lag(table(ctx))));
        server.get("/api/tables/{name}/audit", ctx -> {
            MonitoredTable table = table(ctx);
            ctx.json(ConsoleViews.audit(table.name(), audits.latest(table.name(), table.pipeline().table()),
                    ConsoleViews.objective(table.pipeline().status().freshnessObjective())));
        });

        server.post("/api/pipelines/{name}/pause", ctx -> act(ctx, "paused", t -> t.pipeline().pause()));
        server.post("/api/pipelines/{name}/resume", ctx -> act(ctx, "resumed", t -> t.pipeline().resume()));
        server.post("/api/tables/{name}/compact", ctx -> act(ctx, "asked to compact", t -> {
            if (maintenance == null) {
                throw new BadRequestResponse("this appliance runs no compaction jobs");
            }
            maintenance.compactNow(t.name());
        }));
    }

    private MonitoredTable table(Context ctx) {
        MonitoredTable table = data.table(ctx.pathParam("name"));
        if (table == null) {
            throw new NotFoundResponse("no pipeline or table named '" + ctx.pathParam("name") + "'");
        }
        return table;
    }

    private void act(Context ctx, String verb, Consumer<MonitoredTable> action) {
        Sessions.Session session = auth.requireOperator(ctx);
        MonitoredTable table = table(ctx);
        action.accept(table);
        LOG.info("console: {} {} {}", session.user(), verb, table.name());
        ctx.json(Map.of("ok", true, "message", table.name() + " " + verb,
                "state", table.pipeline().status().state().name()));
    }

    private Views.HealthView readiness() {
        Views.HealthView cached = readiness;
        if (cached != null && readinessAt.plus(READINESS_CACHE).isAfter(clock.instant())) {
            return cached;
        }
        List<Views.CheckView> results = new ArrayList<>();
        boolean up = true;
        for (HealthCheck check : checks) {
            HealthCheck.Result result;
            try {
                result = check.check();
            } catch (RuntimeException e) {
                result = HealthCheck.Result.down(e.toString());
            }
            up &= result.up();
            results.add(new Views.CheckView(check.name(), result.up() ? "UP" : "DOWN", result.detail()));
        }
        Views.HealthView view = new Views.HealthView(up ? "UP" : "DOWN", results);
        readiness = view;
        readinessAt = clock.instant();
        return view;
    }
}
