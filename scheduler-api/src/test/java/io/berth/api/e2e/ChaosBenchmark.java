package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chaos benchmark (a command, not a test; see RELIABILITY.md): a control plane and N node agents as processes, a
 * stream of GPU jobs submitted by a client that retries like a real one (same Idempotency-Key until accepted), the
 * control plane killed (SIGKILL and SIGTERM in turn) and restarted K times, and one agent killed with its workers, as
 * a crashed machine. Every job's command writes a line when it starts and when it ends (or is stopped) into a shared
 * file: job, attempt, server, GPUs, time. From those lines and the API's final view it prints:
 *
 * <pre>RESULT chaos jobs=&lt;n&gt; lost=0 duplicated=0 over_allocated=0 requeued_by_restart=0 retries_charged_by_restart=0</pre>
 *
 * <ul>
 *     <li>lost: jobs the client could not get accepted, or that did not end SUCCEEDED;</li>
 *     <li>duplicated: jobs whose command started more often than they have attempts, or whose runs overlap in time;</li>
 *     <li>over_allocated: pairs of runs on one server, overlapping in time, that were given a common GPU;</li>
 *     <li>requeued_by_restart, retries_charged_by_restart: jobs that never ran on the crashed machine but were
 *     requeued anyway, and the failures charged to them (the crashed machine's jobs are requeued by design).</li>
 * </ul>
 *
 * Arguments ({@code name=value}): agents=3 gpus=4 jobs=150 rate=3 (jobs/s) restarts=3 seconds=2-8 (each job's run
 * time) timeout=5 (heartbeat timeout, s) seed=1.
 */
public final class ChaosBenchmark {
    private record Run(String job, int attempt, String server, Set<String> gpus, long startNanos, long endNanos) {
        boolean overlaps(Run o) {
            return startNanos < o.endNanos && o.startNanos < endNanos;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("agents", "3", "gpus", "4", "jobs", "150", "rate", "3",
                "restarts", "3", "seconds", "2-8", "timeout", "5", "seed", "1"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !a.containsKey(kv[0])) throw new IllegalArgumentException("unknown argument " + arg
                    + "; known: " + a.keySet());
            a.put(kv[0], kv[1]);
        }
        int agentCount = Integer.parseInt(a.get("agents"));
        int gpus = Integer.parseInt(a.get("gpus"));
        int jobs = Integer.parseInt(a.get("jobs"));
        double rate = Double.parseDouble(a.get("rate"));
        int restarts = Integer.parseInt(a.get("restarts"));
        String[] seconds = a.get("seconds").split("-");
        int minSeconds = Integer.parseInt(seconds[0]);
        int maxSeconds = Integer.parseInt(seconds[seconds.length - 1]);
        int timeout = Integer.parseInt(a.get("timeout"));
        Random random = new Random(Long.parseLong(a.get("seed")));

        Path dir = Files.createTempDirectory("berth-chaos");
        Path runs = dir.resolve("runs.txt");
        Files.createFile(runs);
        System.out.printf("chaos: %d agents x %d GPUs, %d jobs at %.1f/s, %d control-plane restarts, one machine crash; "
                + "files in %s%n", agentCount, gpus, jobs, rate, restarts, dir);
        long begin = System.nanoTime();
        try (ControlPlaneProcess controlPlane = ControlPlaneProcess.withHeartbeatTimeout(dir, timeout)) {
            int port = controlPlane.port();
            controlPlane.start();
            ControlPlaneClient api = new ControlPlaneClient(port, controlPlane.adminToken());
            try (AgentProcesses agents = new AgentProcesses(dir, port, api::agentToken)) {
                List<String> names = new ArrayList<>();
                for (int i = 1; i <= agentCount; i++) {
                    names.add("node-" + i);
                    agents.start("node-" + i, gpus);
                }
                while (api.readyServers() < agentCount) Thread.sleep(250);

                // the client: one job after another, each retried with its key until accepted
                Map<String, String> accepted = new ConcurrentHashMap<>(); // name -> id
                AtomicInteger retriedCalls = new AtomicInteger();
                List<Integer> durations = new ArrayList<>();
                for (int i = 0; i < jobs; i++) durations.add(minSeconds + random.nextInt(maxSeconds - minSeconds + 1));
                Thread client = new Thread(() -> {
                    for (int i = 0; i < jobs; i++) {
                        String name = "chaos-" + i;
                        String body = jobSpec(name, 1 + (i % 3 == 0 ? 1 : 0), durations.get(i), runs);
                        while (true) {
                            HttpResponse<String> r = api.trySend("POST", "/api/v1/jobs", body, name);
                            if (r != null && (r.statusCode() == 201 || r.statusCode() == 200)) {
                                accepted.put(name, JsonPath.read(r.body(), "$.id"));
                                break;
                            }
                            if (r != null && r.statusCode() < 500 && r.statusCode() != 429) {
                                // counted as lost below: the client could not get the job in
                                System.out.println("chaos: " + name + " refused: " + r.statusCode() + " " + r.body());
                                break;
                            }
                            retriedCalls.incrementAndGet();
                            pause(500);
                        }
                        pause((long) (1000 / rate));
                    }
                }, "chaos-client");
                client.start();

                // the chaos: restarts spread over the submission window, the machine crash in the middle
                long window = (long) (jobs / rate * 1000);
                String crashed = names.get(names.size() - 1);
                long crashedAtNanos = 0;
                for (int k = 1; k <= restarts; k++) {
                    pause(window / (restarts + 1));
                    boolean hard = k % 2 == 1;
                    progress(begin, api, accepted.size(), (hard ? "kill -9" : "SIGTERM")
                            + " of the control plane (" + k + "/" + restarts + ")");
                    if (hard) controlPlane.kill();
                    else controlPlane.stop();
                    pause(1000 + random.nextInt(3000));
                    controlPlane.start();
                    if (k == (restarts + 1) / 2) {
                        pause(2000);
                        progress(begin, api, accepted.size(), "crash of " + crashed
                                + " (agent and its workers killed)");
                        crashedAtNanos = System.currentTimeMillis() * 1_000_000L;
                        agents.kill(crashed);
                    }
                }
                if (restarts == 0) {
                    crashedAtNanos = System.currentTimeMillis() * 1_000_000L;
                    agents.kill(crashed);
                }
                client.join();
                Map<String, String> states = Map.of();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (System.nanoTime() < deadline) {
                    Map<String, String> now = states(api);
                    states = now;
                    long open = accepted.values().stream().filter(id -> !terminal(now.get(id))).count();
                    if (open == 0) break;
                    progress(begin, api, accepted.size(), open + " job(s) not finished yet");
                    pause(5000);
                }

                // the verdict
                List<Run> all = readRuns(runs, crashed, crashedAtNanos);
                Map<String, Integer> attempts = new HashMap<>();
                Map<String, Integer> failures = new HashMap<>();
                for (String id : accepted.values()) {
                    String detail = api.get("/api/v1/jobs/" + id).body();
                    attempts.put(id, JsonPath.read(detail, "$.attempt"));
                    failures.put(id, JsonPath.read(detail, "$.failures"));
                }
                final Map<String, String> finalStates = states;
                long lost = (jobs - accepted.size())
                        + accepted.values().stream().filter(id -> !"SUCCEEDED".equals(finalStates.get(id))).count();
                Map<String, List<Run>> byJob = new LinkedHashMap<>();
                all.forEach(r -> byJob.computeIfAbsent(r.job(), j -> new ArrayList<>()).add(r));
                long duplicated = byJob.entrySet().stream().filter(e -> e.getValue().size() > attempts.getOrDefault(e.getKey(), 0)
                        || anyOverlap(e.getValue())).count();
                long overAllocated = 0;
                for (int i = 0; i < all.size(); i++) {
                    for (int j = i + 1; j < all.size(); j++) {
                        Run x = all.get(i), y = all.get(j);
                        if (x.server().equals(y.server()) && x.overlaps(y)
                                && x.gpus().stream().anyMatch(y.gpus()::contains)) overAllocated++;
                    }
                }
                Set<String> ranOnCrashed = new HashSet<>();
                all.stream().filter(r -> r.server().equals(crashed)).forEach(r -> ranOnCrashed.add(r.job()));
                long requeued = accepted.values().stream()
                        .filter(id -> !ranOnCrashed.contains(id) && attempts.get(id) > 1).count();
                long charged = accepted.values().stream().filter(id -> !ranOnCrashed.contains(id))
                        .mapToLong(failures::get).sum();
                System.out.printf("chaos: %d runs of %d jobs (%d ran on the crashed machine), %d client retries, "
                                + "%.0f s%n", all.size(), accepted.size(), ranOnCrashed.size(), retriedCalls.get(),
                        (System.nanoTime() - begin) / 1e9);
                System.out.printf("RESULT chaos jobs=%d lost=%d duplicated=%d over_allocated=%d requeued_by_restart=%d "
                        + "retries_charged_by_restart=%d%n", jobs, lost, duplicated, overAllocated, requeued, charged);
            }
        }
    }

    /** A process job that records its start and its end (or its stop: SIGTERM to its process group). */
    private static String jobSpec(String name, int gpus, int seconds, Path runs) {
        String record = "echo \\\"%s $BERTH_JOB_ID $BERTH_ATTEMPT $PWD $CUDA_VISIBLE_DEVICES $(date +%%s%%N)\\\" >> " + runs;
        String script = "trap '" + record.formatted("end") + "; exit 143' TERM INT; " + record.formatted("start")
                + "; sleep " + seconds + " & wait; " + record.formatted("end");
        return """
                {"name":"%s","tenant":"chaos","taskGroups":[{"name":"g","replicas":1,"cpuMillis":100,"memoryMib":64,
                 "gpus":%d}],"retries":5,"runtime":{"type":"process","process":{"argv":["sh","-c","%s"]}}}"""
                .formatted(name, gpus, script);
    }

    /** Runs from the shared file; a run without an end ended when its machine crashed, or is still open. */
    private static List<Run> readRuns(Path file, String crashed, long crashedAtNanos) throws IOException {
        Map<String, long[]> open = new LinkedHashMap<>();
        Map<String, String[]> starts = new LinkedHashMap<>();
        List<Run> runs = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6) continue;
            String key = f[1] + "/" + f[2] + "/" + f[3];
            if (f[0].equals("start")) {
                starts.put(key, f);
                open.put(key, new long[]{Long.parseLong(f[5])});
            } else if (open.containsKey(key)) {
                runs.add(run(starts.remove(key), Long.parseLong(f[5])));
                open.remove(key);
            }
        }
        for (String[] f : starts.values()) {
            String server = server(f[3]);
            runs.add(run(f, server.equals(crashed) ? crashedAtNanos : Long.MAX_VALUE));
        }
        return runs;
    }

    private static Run run(String[] start, long end) {
        return new Run(start[1], Integer.parseInt(start[2]), server(start[3]), Set.of(start[4].split(",")),
                Long.parseLong(start[5]), end);
    }

    /** The server from a worker's directory: agents run in {@code <dir>/work-<server>/...}. */
    private static String server(String pwd) {
        int i = pwd.indexOf("/work-");
        return pwd.substring(i + 6, pwd.indexOf('/', i + 6));
    }

    private static boolean anyOverlap(List<Run> runs) {
        for (int i = 0; i < runs.size(); i++)
            for (int j = i + 1; j < runs.size(); j++)
                if (runs.get(i).overlaps(runs.get(j))) return true;
        return false;
    }

    private static boolean terminal(String state) {
        return "SUCCEEDED".equals(state) || "FAILED".equals(state) || "CANCELLED".equals(state);
    }

    private static Map<String, String> states(ControlPlaneClient api) {
        Map<String, String> out = new HashMap<>();
        for (int page = 0; ; page++) {
            HttpResponse<String> r = api.trySend("GET", "/api/v1/jobs?size=500&page=" + page, null, null);
            if (r == null || r.statusCode() != 200) return out;
            List<Map<String, Object>> items = JsonPath.read(r.body(), "$.items");
            items.forEach(i -> out.put((String) i.get("id"), (String) i.get("state")));
            if (items.size() < 500) return out;
        }
    }

    private static void progress(long begin, ControlPlaneClient api, int accepted, String what) {
        Map<String, String> states = states(api);
        Map<String, Long> counts = new java.util.TreeMap<>();
        states.values().forEach(s -> counts.merge(s, 1L, Long::sum));
        System.out.printf("[%4.0f s] %s; accepted %d, %s%n", (System.nanoTime() - begin) / 1e9, what, accepted,
                states.isEmpty() ? "control plane not answering" : counts);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
