package io.berth.api.e2e;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.berth.api.e2e.ControlPlaneClient.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One control plane's life as a person runs it: a separate process on one data directory, started once for the
 * class (a start is the expensive part) and the tests in order. Its first start on a fresh directory and what the
 * person sees; a second control plane on the same directory; then a kill and a stop, each followed by a start, that
 * do not touch running work.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneLifecycleTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int JOBS = 30;
    private static final int HEARTBEAT_TIMEOUT_SECONDS = 5;

    @TempDir
    static Path dir;
    private static ControlPlaneProcess controlPlane;

    /** What must not change across a restart: state, attempt, failures and the placement of the current attempt. */
    private record Snapshot(String state, int attempt, int failures, String placement) {
    }

    @BeforeAll
    static void startOnAFreshDirectory() throws Exception {
        controlPlane = ControlPlaneProcess.withHeartbeatTimeout(dir, HEARTBEAT_TIMEOUT_SECONDS);
        controlPlane.start();
    }

    @AfterAll
    static void stop() throws Exception {
        controlPlane.close();
    }

    /**
     * One line names the API, its Swagger UI, the health URL on the management port and the admin token's file, each
     * of which answers; none of PostgreSQL's own output reaches the log, which goes to {@code <data-dir>.log} instead.
     */
    @Test
    @Order(1)
    void startUpEndsWithOneLineThatNamesWorkingAddressesAndTheTokenFile() throws Exception {
        List<String> ready = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> controlPlane.log().lines().filter(l -> l.contains("Berth is ready")).toList(), l -> !l.isEmpty());
        assertThat(ready).hasSize(1);
        String line = ready.get(0);
        String api = "http://localhost:" + controlPlane.port();
        assertThat(line).contains("Berth is ready: dashboard " + api + "/, API " + api + "/api/v1 (Swagger UI " + api
                        + "/swagger-ui/index.html), health http://localhost:")
                .endsWith(", admin token in " + dir.resolve("admin-token").toAbsolutePath());

        Matcher health = Pattern.compile("health (http://localhost:\\d+/actuator/health)").matcher(line);
        assertThat(health.find()).isTrue();
        assertThat(health.group(1)).doesNotContain(":" + controlPlane.port() + "/"); // the management port, not the API's
        HttpResponse<String> dashboard = get(api + "/");
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body()).contains("<title>Berth</title>");
        HttpResponse<String> up = get(health.group(1));
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains("\"UP\"");
        assertThat(get(api + "/swagger-ui/index.html").statusCode()).isEqualTo(200);

        // initdb and the server write about 60 lines per start: none reach our log, all reach <data-dir>.log
        String log = controlPlane.log();
        assertThat(log).doesNotContain("The files belonging to this database system")
                .doesNotContain("database system is ready to accept connections");
        String pgOutput = Files.readString(dir.resolve("pgdata.log"));
        assertThat(pgOutput).contains("The files belonging to this database system")
                .contains("database system is ready to accept connections");
        assertThat(log).contains("its output in " + dir.resolve("pgdata.log"));
        assertThat(log.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))).isEmpty();
    }

    /**
     * A second control plane on the data directory of a live one stops at start-up with one clear message naming the
     * live one's pid, and the live one is not disturbed: its PostgreSQL (which a start takes for an orphan when nobody
     * holds the directory's lock) still runs and it still writes.
     */
    @Test
    @Order(2)
    void aSecondControlPlaneOnALiveDirectoryStopsWithTheHoldersPid() throws Exception {
        String postmaster = Files.readAllLines(dir.resolve("pgdata").resolve("postmaster.pid")).get(0);
        try (ControlPlaneProcess second = new ControlPlaneProcess(dir, ControlPlaneProcess.freePort(), List.of())) {
            assertThatThrownBy(second::start).hasMessageContaining("control plane exited with 1")
                    .hasMessageContaining("the embedded PostgreSQL data directory " + dir.resolve("pgdata")
                            + " is in use by another running control plane (pid " + controlPlane.pid() + ")")
                    .hasMessageNotContaining("Exception"); // the failure analysis, not a stack trace
        }
        assertThat(Files.readAllLines(dir.resolve("pgdata").resolve("postmaster.pid")).get(0)).isEqualTo(postmaster);
        assertThat(ProcessHandle.of(Long.parseLong(postmaster.strip())).map(ProcessHandle::isAlive)).contains(true);
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + controlPlane.port()
                        + "/api/v1/zones")).header("Authorization", "Bearer " + controlPlane.adminToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"after\"}"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /**
     * A restart does not touch running work: the control plane and three node agents are separate processes; 30
     * process jobs hold one GPU each. The control plane is killed with SIGKILL (its embedded PostgreSQL left behind
     * as an orphan), started again on the same data, then stopped with SIGTERM and started again. Each time it is down
     * longer than the heartbeat timeout (5 s), so a control plane that counted silence from before its start would
     * declare every server lost. Afterwards every job is still RUNNING, attempt 1, no failure charged, on the same
     * server and GPU, and each job's command started exactly once.
     */
    @Test
    @Order(3)
    void runningJobsSurviveKillAndStopOfTheControlPlane() throws Exception {
        Path runs = dir.resolve("runs.txt");
        int port = controlPlane.port();
        ControlPlaneClient api = new ControlPlaneClient(port, controlPlane.adminToken());
        try (AgentProcesses agents = new AgentProcesses(dir, port, api::agentToken)) {
            for (String name : List.of("node-a", "node-b", "node-c")) agents.start(name, 10);
            await(Duration.ofSeconds(90), () -> api.readyServers() == 3);

            StringBuilder batch = new StringBuilder("{\"jobs\":[");
            for (int i = 0; i < JOBS; i++) {
                if (i > 0) batch.append(',');
                batch.append("""
                        {"name":"hold-%d","tenant":"t","taskGroups":[{"name":"g","replicas":1,"cpuMillis":100,
                         "memoryMib":64,"gpus":1}],
                         "runtime":{"type":"process","process":{"argv":["sh","-c",
                         "echo \\"$BERTH_JOB_ID $BERTH_ATTEMPT\\" >> %s; exec sleep 600"]}}}"""
                        .formatted(i, runs));
            }
            HttpResponse<String> submitted = api.send("POST", "/api/v1/jobs/batch", batch + "]}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            List<String> ids = JsonPath.read(submitted.body(), "$.jobs[*].id");
            await(Duration.ofSeconds(120), () -> running(api) == JOBS);
            Map<String, Snapshot> before = snapshots(api, ids);
            assertThat(before.values()).allSatisfy(s -> {
                assertThat(s.attempt()).isEqualTo(1);
                assertThat(s.failures()).isZero();
            });

            controlPlane.kill();
            controlPlane.start(); // kills the orphaned PostgreSQL first; down for longer than the timeout
            assertUnchangedForTwoTimeouts(api, ids, before);
            assertThat(controlPlane.log()).contains("stopping it").doesNotContain("silent for more than");

            controlPlane.stop();
            Thread.sleep(HEARTBEAT_TIMEOUT_SECONDS * 1000L); // agents keep calling a closed port meanwhile
            controlPlane.start();
            assertUnchangedForTwoTimeouts(api, ids, before);

            List<String> started = Files.readAllLines(runs);
            assertThat(started).hasSize(JOBS);
            assertThat(started).containsExactlyInAnyOrderElementsOf(ids.stream().map(id -> id + " 1").toList());
            // the restarted control plane still controls the work: a cancel reaches the agent
            String cancelled = ids.get(0);
            assertThat(api.send("POST", "/api/v1/jobs/" + cancelled + "/cancel", null).statusCode())
                    .isEqualTo(200);
            await(Duration.ofSeconds(60), () -> snapshots(api, List.of(cancelled)).get(cancelled)
                    .state().equals("CANCELLED"));
        }
    }

    /**
     * After the control plane is back, for two heartbeat timeouts: every agent heartbeats again and no job changes.
     * A control plane that declared servers lost would requeue within one timeout of its start.
     */
    private void assertUnchangedForTwoTimeouts(ControlPlaneClient api, List<String> ids, Map<String, Snapshot> before)
            throws Exception {
        Instant until = Instant.now().plusSeconds(2L * HEARTBEAT_TIMEOUT_SECONDS);
        while (Instant.now().isBefore(until)) {
            Map<String, Snapshot> now = snapshots(api, ids);
            List<String> changed = ids.stream().filter(id -> !now.get(id).equals(before.get(id)))
                    .map(id -> id + ": " + before.get(id) + " -> " + now.get(id)).toList();
            assertThat(changed).as(() -> "jobs changed by the restart; control plane said:\n" + lines(controlPlane,
                    "Started|silent|agent|ERROR")).isEmpty();
            Thread.sleep(1000);
        }
        assertThat(api.readyServers()).isEqualTo(3);
    }

    /** The number of RUNNING jobs, in one request (the listing has no failures or GPU indices; snapshots do). */
    private static int running(ControlPlaneClient api) {
        HttpResponse<String> r = api.get("/api/v1/jobs?state=RUNNING&size=" + (JOBS + 1));
        return r.statusCode() != 200 ? -1 : JsonPath.<List<?>>read(r.body(), "$.items").size();
    }

    private static String lines(ControlPlaneProcess controlPlane, String pattern) {
        try {
            java.util.regex.Pattern p = java.util.regex.Pattern.compile(pattern);
            return controlPlane.log().lines().filter(l -> p.matcher(l).find()).limit(60)
                    .collect(java.util.stream.Collectors.joining("\n"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private Map<String, Snapshot> snapshots(ControlPlaneClient api, List<String> ids) {
        Map<String, Snapshot> out = new LinkedHashMap<>();
        for (String id : ids) {
            HttpResponse<String> r = api.get("/api/v1/jobs/" + id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            DocumentContext job = JsonPath.parse(r.body());
            List<Object> placement = job.read("$.placement[*]['server','gpuIndices','state']");
            out.put(id, new Snapshot(job.read("$.state"), job.read("$.attempt"), job.read("$.failures"),
                    placement.toString()));
        }
        return out;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
