package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.berth.api.e2e.ControlPlaneClient.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A control-plane restart does not touch running work. The control plane and three node agents are separate
 * processes; 30 process jobs hold one GPU each. The control plane is killed with SIGKILL (its embedded PostgreSQL
 * left behind as an orphan), started again on the same data, then stopped with SIGTERM and started again. Each time
 * it is down longer than the heartbeat timeout (5 s), so a control plane that counted silence from before its start
 * would declare every server lost. Afterwards every job is still RUNNING, attempt 1, no failure charged, on the same
 * server and GPU, and each job's command started exactly once.
 */
class ControlPlaneRestartTest {
    private static final int JOBS = 30;
    private static final int HEARTBEAT_TIMEOUT_SECONDS = 5;

    /** What must not change across a restart: state, attempt, failures and the placement of the current attempt. */
    private record Snapshot(String state, int attempt, int failures, String placement) {
    }

    @Test
    void runningJobsSurviveKillAndStopOfTheControlPlane(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs.txt");
        try (ControlPlaneProcess controlPlane =
                     ControlPlaneProcess.withHeartbeatTimeout(dir, HEARTBEAT_TIMEOUT_SECONDS)) {
            int port = controlPlane.port();
            controlPlane.start();
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
                await(Duration.ofSeconds(120), () -> snapshots(api, ids).values().stream()
                        .allMatch(s -> s.state().equals("RUNNING")));
                Map<String, Snapshot> before = snapshots(api, ids);
                assertThat(before.values()).allSatisfy(s -> {
                    assertThat(s.attempt()).isEqualTo(1);
                    assertThat(s.failures()).isZero();
                });

                controlPlane.kill();
                controlPlane.start(); // kills the orphaned PostgreSQL first; down for longer than the timeout
                assertUnchangedForTwoTimeouts(controlPlane, api, ids, before);
                assertThat(controlPlane.log()).contains("stopping it").doesNotContain("silent for more than");

                controlPlane.stop();
                Thread.sleep(HEARTBEAT_TIMEOUT_SECONDS * 1000L); // agents keep calling a closed port meanwhile
                controlPlane.start();
                assertUnchangedForTwoTimeouts(controlPlane, api, ids, before);

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
    }

    /**
     * After the control plane is back, for two heartbeat timeouts: every agent heartbeats again and no job changes.
     * A control plane that declared servers lost would requeue within one timeout of its start.
     */
    private void assertUnchangedForTwoTimeouts(ControlPlaneProcess controlPlane, ControlPlaneClient api, List<String> ids,
                                              Map<String, Snapshot> before)
            throws Exception {
        Instant until = Instant.now().plusSeconds(2L * HEARTBEAT_TIMEOUT_SECONDS);
        while (Instant.now().isBefore(until)) {
            Map<String, Snapshot> now = snapshots(api, ids);
            List<String> changed = ids.stream().filter(id -> !now.get(id).equals(before.get(id)))
                    .map(id -> id + ": " + before.get(id) + " -> " + now.get(id)).toList();
            assertThat(changed).as(() -> "jobs changed by the restart; control plane said:\n" + lines(controlPlane,
                    "Started|silent|agent|ERROR")).isEmpty();
            Thread.sleep(500);
        }
        assertThat(api.readyServers()).isEqualTo(3);
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
            List<Object> placement = JsonPath.read(r.body(), "$.placement[*]['server','gpuIndices','state']");
            out.put(id, new Snapshot(JsonPath.read(r.body(), "$.state"), JsonPath.read(r.body(), "$.attempt"),
                    JsonPath.read(r.body(), "$.failures"), placement.toString()));
        }
        return out;
    }

}
