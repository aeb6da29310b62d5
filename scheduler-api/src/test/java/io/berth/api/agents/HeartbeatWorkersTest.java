package io.berth.api.agents;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.ServerWorkers;
import io.berth.api.jobs.WorkerRow;
import io.berth.api.jobs.WorkerState;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gang's workers through heartbeats, over real HTTP on the real PostgreSQL: the reconciler's two steps as the
 * agent sees them, including a report that changes another worker of the same server in the same heartbeat.
 */
class HeartbeatWorkersTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;
    @Autowired
    ServerWorkers workers;
    @Autowired
    JobLifecycle lifecycle;

    private String heartbeat(String workers) {
        Response hb = postJson("/api/v1/agents/gpu-1/heartbeat", "{\"workers\":[" + workers + "]}");
        assertThat(hb.status()).as(hb.body()).isEqualTo(200);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = 'gpu-1'");
        return hb.body();
    }

    private static String report(String worker, String state) {
        return "{\"workerId\":\"" + worker + "\",\"state\":\"" + state + "\""
                + (state.equals("FAILED") ? ",\"exitCode\":3,\"message\":\"boom\"" : "") + "}";
    }

    private String workerState(String worker) {
        return jdbc.queryForObject("SELECT state FROM workers WHERE id = ?::uuid", String.class, worker);
    }

    /** A gang of two on gpu-1, placed; its worker ids by rank. */
    private List<String> placedGang() {
        Response server = postJson("/api/v1/servers", "{\"name\":\"gpu-1\",\"cpuMillis\":64000,\"memoryMib\":262144,"
                + "\"accelerators\":[{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920},"
                + "{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}]}");
        assertThat(server.status()).as(server.body()).isEqualTo(201);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day', agent_address = 'localhost' "
                + "WHERE name = 'gpu-1'");
        Response job = postJson("/api/v1/jobs", "{\"name\":\"gang\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":2,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":1}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"600\"]}}}");
        assertThat(job.status()).as(job.body()).isEqualTo(201);
        String id = JsonPath.read(job.body(), "$.id");
        for (int i = 0; i < 3 && jdbc.queryForObject("SELECT count(*) FROM workers WHERE job_id = ?::uuid", Long.class,
                id) < 2; i++) loop.cycle();
        List<String> ranks = jdbc.queryForList("SELECT id::text FROM workers WHERE job_id = ?::uuid ORDER BY rank",
                String.class, id);
        assertThat(ranks).hasSize(2);
        return ranks;
    }

    @Test
    void startsTheGangThenAFailedRankStopsItsSiblingInTheSameAnswer() {
        List<String> ranks = placedGang();
        String rank0 = ranks.get(0);
        String rank1 = ranks.get(1);

        // nothing reported: both are to start; once both run, nothing is to start or stop
        String first = heartbeat("");
        assertThat(JsonPath.<List<String>>read(first, "$.start[*].workerId")).containsExactlyInAnyOrder(rank0, rank1);
        assertThat(JsonPath.<List<String>>read(first, "$.stop")).isEmpty();
        String steady = heartbeat(report(rank0, "RUNNING") + "," + report(rank1, "RUNNING"));
        assertThat(JsonPath.<List<String>>read(steady, "$.start")).isEmpty();
        assertThat(JsonPath.<List<String>>read(steady, "$.stop")).isEmpty();
        assertThat(List.of(workerState(rank0), workerState(rank1))).containsExactly("RUNNING", "RUNNING");

        // rank 0 failed: its attempt failed, so rank 1 (same server) is told to stop in the answer to this heartbeat
        String failed = heartbeat(report(rank0, "FAILED") + "," + report(rank1, "RUNNING"));
        assertThat(JsonPath.<List<String>>read(failed, "$.stop")).containsExactly(rank1);
        assertThat(List.of(workerState(rank0), workerState(rank1))).containsExactly("FAILED", "STOPPING");

        // the agent stopped it and no longer reports it: STOPPED
        String stopped = heartbeat("");
        assertThat(JsonPath.<List<String>>read(stopped, "$.stop")).isEmpty();
        assertThat(workerState(rank1)).isEqualTo("STOPPED");
    }

    /**
     * Both ranks fail in one heartbeat: the first failure fails the attempt and marks the other STOPPING, so the
     * second report (applied in the same heartbeat) ends it STOPPED, not as a second failure of the attempt.
     */
    @Test
    void aSecondFailureInTheSameHeartbeatIsTheStopOfAWorkerAlreadyBeingStopped() {
        List<String> ranks = placedGang();
        heartbeat("");
        heartbeat(report(ranks.get(0), "RUNNING") + "," + report(ranks.get(1), "RUNNING"));

        heartbeat(report(ranks.get(0), "FAILED") + "," + report(ranks.get(1), "FAILED"));

        assertThat(List.of(workerState(ranks.get(0)), workerState(ranks.get(1)))).containsExactly("FAILED", "STOPPED");
        assertThat(jdbc.queryForObject("SELECT failures FROM jobs", Integer.class)).isEqualTo(1);
    }

    /**
     * A heartbeat reads its workers before it takes the job's lock; a cancel that commits in between marks them
     * STOPPING. The report of a failure, applied with the row read before the cancel, ends the worker STOPPED, and the
     * cancelled job is not charged a failure.
     */
    @Test
    void aFailureReportedWithARowReadBeforeACancelEndsTheWorkerStopped() {
        List<String> ranks = placedGang();
        heartbeat("");
        heartbeat(report(ranks.get(0), "RUNNING") + "," + report(ranks.get(1), "RUNNING"));
        WorkerRow readBefore = workers.find(UUID.fromString(ranks.get(0))).orElseThrow();
        assertThat(readBefore.state()).isEqualTo(WorkerState.RUNNING);
        String job = jdbc.queryForObject("SELECT id::text FROM jobs", String.class);
        assertThat(postJson("/api/v1/jobs/" + job + "/cancel", "").status()).isEqualTo(200);

        assertThat(lifecycle.workerReported(readBefore, WorkerState.FAILED, 3, "boom")).isTrue();

        assertThat(workerState(ranks.get(0))).isEqualTo("STOPPED");
        assertThat(jdbc.queryForObject("SELECT failures FROM jobs", Integer.class)).isZero();
    }
}
