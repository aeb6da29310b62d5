package io.berth.api.bench;

import io.berth.api.BerthApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Benchmark command for the control plane (not a test: nothing here asserts a time; the figures are written down in
 * BENCHMARKS.md). Each scenario starts its own control plane in this JVM (fresh embedded PostgreSQL in a temporary
 * directory, random port, no local agent) and drives it over real HTTP with keep-alive connections
 * ({@link LeanHttp}) from a few client threads, so request parsing, validation, JSON, transactions and the database
 * are all on the clock.
 *
 * <ul>
 *   <li>{@code submissions}: imports {@code servers} servers of 8 GPUs (node-list CSV), lets the scheduler place on
 *   inventory-only servers ({@code require-agent=false}) and submits 1-GPU process jobs for {@code duration} seconds
 *   from {@code threads} threads (4 tenants, so fair share is exercised); then waits for the queue to drain.
 *   Persisted = 201 responses; placed = jobs that left QUEUED (counted in SQL).</li>
 *   <li>{@code heartbeats}: registers {@code agents} agents (8 GPUs each) over the API with an enrollment token (each
 *   gets its own server-bound token and heartbeats with it), sends one heartbeat each, then heartbeats round-robin
 *   over all of them from {@code threads} threads: {@code heartbeat-warmup} seconds not counted, then
 *   {@code duration} seconds measured. Latency is per request, measured by the client.</li>
 *   <li>{@code latency}: one real node agent process (the packaged node-agent jar, simulated 8 x A100) on an idle
 *   cluster; {@code latency-jobs} jobs ({@code argv ["true"]}) are submitted one at a time, each after a random pause
 *   of up to one heartbeat interval (so submissions fall at random points of the heartbeat cycle); latency = the
 *   job's RUNNING event time minus the instant the POST returned (same machine, same clock).</li>
 * </ul>
 *
 * <p>Arguments, all {@code key=value}: scenarios=submissions,heartbeats,latency servers=10000 duration=30
 * warmup=5 threads=8 max-feasible=-1 (berth.scheduler.max-feasible for the submissions scenario) agents=10000
 * heartbeat-warmup=60 latency-jobs=40 heartbeat-interval=3 (seconds, the control plane's
 * berth.scheduler.heartbeat-interval-seconds for the latency scenario). Output: progress lines, then one
 * {@code RESULT scenario=...} line per scenario.
 */
public final class ControlPlaneBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, String> args;
    private final List<String> results = new ArrayList<>();

    private ControlPlaneBenchmark(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            for (String part : a.trim().split("\\s+")) {
                if (part.isBlank()) continue;
                int eq = part.indexOf('=');
                if (eq < 0) throw new IllegalArgumentException("arguments are key=value, got '" + part + "'");
                args.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        for (String p : args.getOrDefault("props", "").split(","))
            if (!p.isBlank()) ControlPlane.EXTRA_PROPERTIES.add("--" + p.trim());
        new ControlPlaneBenchmark(args).run();
    }

    private String arg(String key, String def) {
        return args.getOrDefault(key, def);
    }

    private int intArg(String key, int def) {
        return Integer.parseInt(arg(key, String.valueOf(def)));
    }

    private void run() throws Exception {
        System.out.printf("machine: %d cores, java %s, load %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), load());
        for (String scenario : arg("scenarios", "submissions,heartbeats,latency").split(",")) {
            switch (scenario.trim()) {
                case "submissions" -> submissions();
                case "heartbeats" -> heartbeats();
                case "latency" -> latency();
                default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
            }
        }
        System.out.println();
        results.forEach(System.out::println);
    }

    // ------------------------------------------------------------------------------------------- submissions

    private void submissions() throws Exception {
        int servers = intArg("servers", 10_000);
        int duration = intArg("duration", 30);
        int warmup = intArg("warmup", 5);
        int threads = intArg("threads", 8);
        int maxFeasible = intArg("max-feasible", -1);
        int batch = intArg("batch", 1);
        int maxDrain = intArg("max-drain", 300);
        int rate = intArg("rate", 0); // jobs per second offered by all clients together; 0 = as fast as they can
        List<String> props = new ArrayList<>(List.of("--berth.scheduler.require-agent=false",
                "--berth.scheduler.max-feasible=" + maxFeasible));
        try (ControlPlane cp = ControlPlane.start(props.toArray(String[]::new))) {
            StringBuilder csv = new StringBuilder("sn,cpu_milli,memory_mib,gpu,model\n");
            for (int i = 0; i < servers; i++)
                csv.append(String.format("bench-%05d,128000,1048576,8,V100M32%n", i));
            long t = System.nanoTime();
            Resp imported = cp.post("/api/v1/inventory/import", "text/csv", csv.toString());
            check(imported, 200);
            log("submissions: imported %d servers in %.1f s", servers, seconds(t));

            AtomicLong sequence = new AtomicLong();
            AtomicLong persisted = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            Sampler submitLatency = new Sampler();
            AtomicBoolean measuring = new AtomicBoolean(false);
            long end = System.nanoTime() + Duration.ofSeconds(warmup + duration).toNanos();
            AtomicLong slot = new AtomicLong();
            AtomicLong begin = new AtomicLong(System.nanoTime()); // of the rate schedule; restarted with the window
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < threads; c++) {
                Thread th = new Thread(() -> {
                    long[] local = new long[1 << 16];
                    int n = 0;
                    while (System.nanoTime() < end) {
                        if (rate > 0) { // open loop: request k is due at begin + k * batch / rate
                            long due = begin.get() + (long) (slot.getAndIncrement() * (double) batch / rate * 1e9);
                            long wait = due - System.nanoTime();
                            if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        StringBuilder jobs = new StringBuilder();
                        for (int b = 0; b < batch; b++) {
                            long i = sequence.incrementAndGet();
                            if (b > 0) jobs.append(',');
                            jobs.append("""
                                    {"name":"bench-%d","tenant":"tenant-%d","priority":50,
                                     "taskGroups":[{"name":"main","replicas":1,"cpuMillis":1000,"memoryMib":4096,"gpus":1}],
                                     "runtime":{"type":"process","process":{"argv":["true"]}}}""".formatted(i, i % 4));
                        }
                        long s = System.nanoTime();
                        Resp r = batch == 1 ? cp.post("/api/v1/jobs", "application/json", jobs.toString())
                                : cp.post("/api/v1/jobs/batch", "application/json", "{\"jobs\":[" + jobs + "]}");
                        long took = System.nanoTime() - s;
                        if (r.status() != 201) {
                            if (errors.incrementAndGet() <= 5) log("submit failed: %d %s", r.status(), r.body());
                            continue;
                        }
                        if (measuring.get()) {
                            persisted.addAndGet(batch);
                            if (n == local.length) local = Arrays.copyOf(local, n * 2);
                            local[n++] = took;
                        }
                    }
                    submitLatency.add(local, n);
                }, "submit-" + c);
                th.start();
                clients.add(th);
            }
            Thread.sleep(warmup * 1000L);
            long[] before = cp.jobCounts();
            slot.set(0);
            begin.set(System.nanoTime());
            measuring.set(true);
            long start = System.nanoTime();
            String loadAtStart = load();
            List<long[]> timeline = new ArrayList<>(); // {second, persisted, placed, queued} of the window
            timeline.add(new long[]{0, 0, 0, before[0]});
            for (int s = 1; s <= duration; s++) {
                Thread.sleep(Math.max(0, start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
                long[] now = cp.jobCounts();
                timeline.add(new long[]{s, persisted.get(), now[1] - before[1], now[0]});
                if (s % 5 == 0)
                    log("submissions: t=%ds persisted %d, placed %d, queued %d, load %s", s, persisted.get(),
                            now[1] - before[1], now[0], load());
            }
            Path chart = Path.of(arg("chart", "scheduler-api/target/bench/submissions.svg"));
            writeTimeline(chart, timeline, String.format(Locale.ROOT, "%d servers, %s jobs per request, %s", servers,
                    batch, rate > 0 ? rate + " jobs/s offered" : "closed loop"));
            log("submissions: timeline in %s", chart);
            for (Thread th : clients) th.join();
            double window = seconds(start);
            measuring.set(false);
            long[] after = cp.jobCounts();
            String loadAtEnd = load();
            // drain: how long until every submitted job has left the queue
            long drainStart = System.nanoTime();
            while (cp.jobCounts()[0] > 0 && seconds(drainStart) < maxDrain) Thread.sleep(200);
            double drain = seconds(drainStart);
            long[] drained = cp.jobCounts();
            double submittedPerSec = persisted.get() / window;
            double placedPerSec = (after[1] - before[1]) / window;
            // placement throughput over the window plus the drain (every job persisted is placed by then)
            double placedWithDrain = (drained[1] - before[1]) / (window + drain);
            log("submissions: window %.1f s, %d persisted, %d placed, backlog %d queued at the end, drained in %.1f s",
                    window, persisted.get(), after[1] - before[1], after[0], drain);
            results.add(String.format(Locale.ROOT, "RESULT scenario=submissions submitted_per_sec=%.0f placed_per_sec=%.0f "
                            + "placed_per_sec_incl_drain=%.0f jobs=%d submit_p50_ms=%.1f submit_p99_ms=%.1f backlog_at_end=%d "
                            + "drain_s=%.1f errors=%d servers=%d max_feasible=%d batch=%d rate=%d threads=%d duration_s=%d load_start=%s load_end=%s",
                    submittedPerSec, placedPerSec, placedWithDrain, persisted.get(), submitLatency.percentileMillis(50),
                    submitLatency.percentileMillis(99), after[0], drain, errors.get(), servers, maxFeasible, batch, rate, threads, duration,
                    loadAtStart, loadAtEnd));
            log(results.get(results.size() - 1));
        }
    }

    /**
     * The window as a CSV (second, persisted, placed, queued) and an SVG chart of the three counts over time, next to
     * each other: the picture of whether placement keeps up with submission.
     */
    private static void writeTimeline(Path svg, List<long[]> rows, String title) throws IOException {
        Files.createDirectories(svg.toAbsolutePath().getParent());
        StringBuilder csv = new StringBuilder("second,persisted,placed,queued\n");
        rows.forEach(r -> csv.append(r[0]).append(',').append(r[1]).append(',').append(r[2]).append(',').append(r[3]).append('\n'));
        Files.writeString(Path.of(svg.toString().replaceAll("\\.svg$", "") + ".csv"), csv);
        int w = 640, h = 360, left = 70, right = 20, top = 40, bottom = 40;
        long maxX = Math.max(1, rows.get(rows.size() - 1)[0]);
        long maxY = 1;
        for (long[] r : rows) maxY = Math.max(maxY, Math.max(r[1], Math.max(r[2], r[3])));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">Jobs over the measured window: %s</text>%n",
                left, title.replace("&", "&amp;").replace("<", "&lt;")));
        for (int i = 0; i <= 4; i++) {
            double y = top + (h - top - bottom) * (1 - i / 4.0);
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", left, y, w - right, y, left - 6, y + 4, maxY * i / 4));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds (0 to %d)</text>%n",
                (left + w - right) / 2, h - 10, maxX));
        String[] names = {"persisted", "placed", "queued"};
        String[] colors = {"#1f77b4", "#2ca02c", "#d62728"};
        for (int k = 0; k < 3; k++) {
            StringBuilder pts = new StringBuilder();
            for (long[] r : rows) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (w - left - right) * (double) r[0] / maxX,
                        top + (h - top - bottom) * (1 - (double) r[k + 1] / maxY)));
            }
            out.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    colors[k], pts.toString().trim()));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", left + 10 + 90 * k, top + 14,
                    colors[k], names[k]));
        }
        out.append("</svg>\n");
        Files.writeString(svg, out);
    }

    // -------------------------------------------------------------------------------------------- heartbeats

    private void heartbeats() throws Exception {
        int agents = intArg("agents", 10_000);
        int duration = intArg("duration", 30);
        int threads = intArg("threads", 8);
        int heartbeatWarmup = intArg("heartbeat-warmup", 60);
        // agents enroll as the Helm chart's DaemonSet does: a shared enrollment token registers, and each agent then
        // heartbeats with the server-bound token it got back (so every heartbeat is authenticated as its own agent)
        String enrollment = "berth_bench_enroll_" + java.util.UUID.randomUUID();
        try (ControlPlane cp = ControlPlane.start("--berth.auth.agent-enrollment-token=" + enrollment)) {
            String[] names = new String[agents];
            String[] tokens = new String[agents];
            for (int i = 0; i < agents; i++) names[i] = String.format("agent-%05d", i);
            StringBuilder gpus = new StringBuilder();
            for (int g = 0; g < 8; g++) {
                if (g > 0) gpus.append(',');
                gpus.append("{\"index\":").append(g).append(",\"kind\":\"GPU\",\"vendor\":\"NVIDIA\",\"model\":\"A100\","
                        + "\"memoryMib\":81920,\"interconnectDomain\":\"nvswitch\",\"health\":\"HEALTHY\"}");
            }
            long t = System.nanoTime();
            AtomicLong next = new AtomicLong();
            parallel(threads, () -> {
                for (long i; (i = next.getAndIncrement()) < agents; ) {
                    String body = "{\"name\":\"" + names[(int) i] + "\",\"rack\":\"rack-" + (i / 40) + "\","
                            + "\"address\":\"127.0.0.1\",\"cpuMillis\":128000,\"memoryMib\":1048576,\"networkMbps\":200000,"
                            + "\"labels\":{},\"accelerators\":[" + gpus + "],\"localDevices\":[],\"runningWorkerIds\":[]}";
                    Resp registered = cp.post("/api/v1/agents/register", "application/json", body, enrollment);
                    check(registered, 200);
                    tokens[(int) i] = JSON.readTree(registered.body()).get("agentToken").asString();
                    if ((i + 1) % 2000 == 0) log("heartbeats: %d agents registered, load %s", i + 1, load());
                }
            });
            double registerSeconds = seconds(t);
            log("heartbeats: registered %d agents in %.1f s (%.0f/s)", agents, registerSeconds, agents / registerSeconds);

            String heartbeat = "{\"usage\":{\"cpuMillisUsed\":0,\"memoryMibUsed\":0},\"acceleratorHealth\":[],\"workers\":[]}";
            // warm-up: one heartbeat per agent (brings every agent back to READY should the registration have taken
            // longer than the heartbeat timeout, and warms the JIT)
            next.set(0);
            t = System.nanoTime();
            parallel(threads, () -> {
                for (long i; (i = next.getAndIncrement()) < agents; )
                    check(cp.post("/api/v1/agents/" + names[(int) i] + "/heartbeat", "application/json", heartbeat,
                            tokens[(int) i]), 200);
            });
            log("heartbeats: warm-up round of %d in %.1f s", agents, seconds(t));

            // then heartbeatWarmup seconds of the same load before the measured window: on two cores the JIT needs about
            // a minute to compile the request path, and a control plane runs for much longer than that
            Sampler latency = new Sampler();
            AtomicLong errors = new AtomicLong();
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(heartbeatWarmup).toNanos();
            long end = warmupEnd + Duration.ofSeconds(duration).toNanos();
            AtomicLong sent = new AtomicLong();
            String[] loadAtStart = {load()};
            Thread progress = new Thread(() -> {
                try {
                    for (int s = 5 - heartbeatWarmup; s < duration; s += 5) {
                        Thread.sleep(5000);
                        if (s == 0) loadAtStart[0] = load();
                        log("heartbeats: %s t=%ds %d sent, load %s", s <= 0 ? "warm-up" : "measuring", s, sent.get(), load());
                    }
                } catch (InterruptedException ignored) {
                    // finished early
                }
            });
            progress.setDaemon(true);
            progress.start();
            parallel(threads, () -> {
                long[] local = new long[1 << 16];
                int n = 0;
                for (long s; (s = System.nanoTime()) < end; ) {
                    int agent = (int) (next.getAndIncrement() % agents);
                    Resp r = cp.post("/api/v1/agents/" + names[agent] + "/heartbeat", "application/json", heartbeat,
                            tokens[agent]);
                    long took = System.nanoTime() - s;
                    boolean measured = s >= warmupEnd;
                    if (r.status() != 200) {
                        if (measured && errors.incrementAndGet() <= 5) log("heartbeat failed: %d %s", r.status(), r.body());
                        continue;
                    }
                    sent.incrementAndGet();
                    if (!measured) continue;
                    if (n == local.length) local = Arrays.copyOf(local, n * 2);
                    local[n++] = took;
                }
                latency.add(local, n);
            });
            double window = (System.nanoTime() - warmupEnd) / 1e9;
            progress.interrupt();
            results.add(String.format(Locale.ROOT, "RESULT scenario=heartbeats heartbeats_per_sec=%.0f p50_ms=%.2f p99_ms=%.2f "
                            + "max_ms=%.1f agents=%d threads=%d duration_s=%d warmup_s=%d errors=%d register_per_sec=%.0f load_start=%s load_end=%s",
                    latency.count() / window, latency.percentileMillis(50), latency.percentileMillis(99),
                    latency.percentileMillis(100), agents, threads, duration, heartbeatWarmup, errors.get(),
                    agents / registerSeconds, loadAtStart[0], load()));
            log(results.get(results.size() - 1));
        }
    }

    // ----------------------------------------------------------------------------------------------- latency

    private void latency() throws Exception {
        int jobs = intArg("latency-jobs", 40);
        int interval = intArg("heartbeat-interval", 3);
        Path jar = agentJar();
        Path hardware = firstExisting("examples/hardware/gpu-8x-a100.yaml", "../examples/hardware/gpu-8x-a100.yaml");
        Path work = Files.createTempDirectory("berth-bench-agent");
        try (ControlPlane cp = ControlPlane.start("--berth.scheduler.heartbeat-interval-seconds=" + interval)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Resp issued = cp.post("/api/v1/tokens", "application/json",
                    "{\"name\":\"bench-agent\",\"role\":\"AGENT\",\"server\":\"bench-a100\"}");
            check(issued, 201);
            ProcessBuilder agentCommand = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString(),
                    "--control-plane=http://localhost:" + cp.port, "--name=bench-a100", "--hardware=" + hardware.toAbsolutePath(),
                    "--work-dir=" + work.resolve("work"), "--advertise-address=127.0.0.1", "--heartbeat-seconds=" + interval)
                    .redirectErrorStream(true).redirectOutput(work.resolve("agent.log").toFile());
            agentCommand.environment().put("BERTH_AGENT_TOKEN", JSON.readTree(issued.body()).get("token").asString());
            Process agent = agentCommand.start();
            try {
                long t = System.nanoTime();
                while (cp.get("/api/v1/servers/bench-a100").status() != 200) {
                    if (!agent.isAlive() || seconds(t) > 60)
                        throw new IllegalStateException("agent did not register; see " + work.resolve("agent.log"));
                    Thread.sleep(100);
                }
                Thread.sleep(2000L * interval);
                log("latency: agent registered (%s), heartbeat every %d s, load %s", jar.getFileName(), interval, load());
                String loadAtStart = load();
                double[] millis = new double[jobs];
                for (int i = 0; i < jobs; i++) {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(interval * 1000L));
                    String body = """
                            {"name":"latency-%d","tenant":"bench","taskGroups":[{"name":"main","replicas":1,
                             "cpuMillis":1000,"memoryMib":1024,"gpus":1}],
                             "runtime":{"type":"process","process":{"argv":["true"]}}}""".formatted(i);
                    Resp r = cp.post("/api/v1/jobs", "application/json", body);
                    Instant submitted = Instant.now();
                    check(r, 201);
                    String id = JSON.readTree(r.body()).get("id").asString();
                    Instant running = null;
                    Instant scheduled = null;
                    long waitStart = System.nanoTime();
                    while (seconds(waitStart) < 60) {
                        JsonNode job = JSON.readTree(cp.get("/api/v1/jobs/" + id).body());
                        for (JsonNode e : job.get("events")) {
                            if ("RUNNING".equals(e.get("to").asString()) && running == null)
                                running = Instant.parse(e.get("at").asString());
                            if ("SCHEDULED".equals(e.get("to").asString()) && scheduled == null)
                                scheduled = Instant.parse(e.get("at").asString());
                        }
                        String state = job.get("state").asString();
                        if (running != null && !state.equals("RUNNING") && !state.equals("SCHEDULED")) break;
                        Thread.sleep(10);
                    }
                    if (running == null) throw new IllegalStateException("job " + id + " never ran; see " + work);
                    millis[i] = Duration.between(submitted, running).toNanos() / 1e6;
                    log("latency: job %d: %.0f ms (placed after %d ms)", i + 1, millis[i],
                            scheduled == null ? -1 : Duration.between(submitted, scheduled).toMillis());
                }
                Arrays.sort(millis);
                results.add(String.format(Locale.ROOT, "RESULT scenario=latency p50_ms=%.0f p99_ms=%.0f max_ms=%.0f min_ms=%.0f "
                                + "jobs=%d heartbeat_interval_s=%d load_start=%s load_end=%s", percentile(millis, 50),
                        percentile(millis, 99), millis[jobs - 1], millis[0], jobs, interval, loadAtStart, load()));
                log(results.get(results.size() - 1));
            } finally {
                agent.destroy();
                if (!agent.waitFor(20, TimeUnit.SECONDS)) agent.destroyForcibly();
            }
        }
    }

    private static Path agentJar() throws IOException {
        for (String dir : List.of("node-agent/target", "../node-agent/target")) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> files = Files.list(d)) {
                var jar = files.filter(p -> p.getFileName().toString().matches("node-agent-[0-9].*\\.jar")).findFirst();
                if (jar.isPresent()) return jar.get();
            }
        }
        throw new IllegalStateException("node-agent jar not found in node-agent/target: build it first (see BENCHMARKS.md)");
    }

    private static Path firstExisting(String... candidates) {
        for (String c : candidates) if (Files.exists(Path.of(c))) return Path.of(c);
        throw new IllegalStateException("none of " + Arrays.toString(candidates) + " exists; run from the repository root");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A control plane in this JVM on a random port with a throw-away embedded PostgreSQL. */
    private static final class ControlPlane implements AutoCloseable {
        /** The benchmark calls the API as an administrator (allowed on every endpoint, agents' included). */
        static final String ADMIN_TOKEN = "berth_bench_" + java.util.UUID.randomUUID();
        private final ConfigurableApplicationContext context;
        private final int port;
        private final JdbcTemplate jdbc;
        private final LeanHttp http;
        private final Path checkpoints;

        private ControlPlane(ConfigurableApplicationContext context, Path checkpoints) {
            this.context = context;
            this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
            this.http = new LeanHttp(port);
            this.jdbc = context.getBean(JdbcTemplate.class);
            this.checkpoints = checkpoints;
        }

        /** Control-plane settings of every scenario, from the {@code props=key=value,...} argument. */
        static final List<String> EXTRA_PROPERTIES = new ArrayList<>();

        static ControlPlane start(String... extra) throws IOException {
            Path checkpoints = Files.createTempDirectory("berth-bench-checkpoints");
            List<String> props = new ArrayList<>(List.of("--server.port=0", "--berth.embedded-postgres.data-dir=",
                    "--berth.auth.admin-token=" + ADMIN_TOKEN, "--berth.auth.admin-token-file=" + checkpoints.resolve("admin-token"),
                    "--berth.local-agent.enabled=false", "--berth.scheduler.checkpoint-root=" + checkpoints,
                    "--spring.main.banner-mode=off", "--logging.level.root=WARN",
                    "--logging.level.io.berth.api.web.ProblemHandler=ERROR"));
            props.addAll(List.of(extra));
            props.addAll(EXTRA_PROPERTIES);
            long t = System.nanoTime();
            ConfigurableApplicationContext context = new SpringApplication(BerthApplication.class)
                    .run(props.toArray(String[]::new));
            ControlPlane cp = new ControlPlane(context, checkpoints);
            log("control plane up on port %d in %.1f s (%s)", cp.port, seconds(t), String.join(" ", extra));
            return cp;
        }

        /** {queued, left the queue (any other state)}. */
        long[] jobCounts() {
            return jdbc.query("SELECT count(*) FILTER (WHERE state = 'QUEUED'), count(*) FILTER (WHERE state <> 'QUEUED') FROM jobs",
                    rs -> {
                        rs.next();
                        return new long[]{rs.getLong(1), rs.getLong(2)};
                    });
        }

        Resp post(String path, String contentType, String body) {
            return post(path, contentType, body, ADMIN_TOKEN);
        }

        Resp post(String path, String contentType, String body, String token) {
            LeanHttp.Response r = http.send("POST", path, token, contentType, body);
            return new Resp(r.status(), r.body());
        }

        Resp get(String path) {
            LeanHttp.Response r = http.send("GET", path, ADMIN_TOKEN, null, null);
            return new Resp(r.status(), r.body());
        }

        @Override
        public void close() {
            context.close();
            try (Stream<Path> files = Files.walk(checkpoints)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind
            }
        }
    }

    private record Resp(int status, String body) {
    }

    /** Latencies in nanoseconds from several threads; percentiles from the sorted whole (no histogram). */
    private static final class Sampler {
        private long[] all = new long[0];

        synchronized void add(long[] values, int n) {
            int old = all.length;
            all = Arrays.copyOf(all, old + n);
            System.arraycopy(values, 0, all, old, n);
        }

        synchronized int count() {
            return all.length;
        }

        synchronized double percentileMillis(double p) {
            if (all.length == 0) return Double.NaN;
            long[] sorted = all.clone();
            Arrays.sort(sorted);
            int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
        }
    }

    private static double percentile(double[] sorted, double p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void parallel(int threads, Body body) throws InterruptedException {
        List<Thread> ts = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) t.join();
        if (!failures.isEmpty()) throw new IllegalStateException("client thread failed", failures.get(0));
    }

    private static void check(Resp r, int expected) {
        if (r.status() != expected)
            throw new IllegalStateException("expected HTTP " + expected + " but got " + r.status() + ": " + r.body());
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The 1-minute load average, as uptime shows it. */
    private static String load() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void log(String format, Object... args) {
        System.out.printf("[%s] %s%n", Instant.now().toString().substring(11, 19), args.length == 0 ? format
                : String.format(Locale.ROOT, format, args));
    }
}
