package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cordon and drain differ: both stop new placements and let running work finish, but only a drained server moves on
 * to DRAINED once no worker is active on it (Slurm's DRAIN -> DRAINED); a cordoned one stays CORDONED.
 */
class CordonDrainTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;
    @Autowired
    InventoryService inventory;

    private String submit(String name) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":1,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":1}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"600\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    /** The server and worker id of the job's one worker, once it is placed. */
    private Map<String, Object> placedWorker(String jobId) {
        for (int i = 0; i < 3; i++) loop.cycle();
        return jdbc.queryForMap("SELECT w.id::text AS id, s.name AS server FROM workers w JOIN servers s "
                + "ON s.id = w.server_id WHERE w.job_id = ?::uuid", jobId);
    }

    private String state(String server) {
        return JsonPath.read(get("/api/v1/servers/" + server).body(), "$.state");
    }

    /** What the server's agent would report for the worker: RUNNING, then SUCCEEDED. */
    private void workerEnds(Map<String, Object> worker) {
        for (String state : new String[]{"RUNNING", "SUCCEEDED"}) {
            Response hb = postJson("/api/v1/agents/" + worker.get("server") + "/heartbeat", "{\"workers\":[{\"workerId\":\""
                    + worker.get("id") + "\",\"state\":\"" + state + "\",\"exitCode\":0}]}");
            assertThat(hb.status()).as(hb.body()).isEqualTo(200);
        }
        // no real agent heartbeats on: keep the heartbeat monitor from taking the server out during the test
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = ?", worker.get("server"));
    }

    @Test
    void drainWaitsForTheRunningWorkThenTheServerIsDrained() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        liveServer("b", "default", 1, "H100", 64000, 262144);
        Map<String, Object> first = placedWorker(submit("first"));
        String busy = (String) first.get("server");
        String other = busy.equals("a") ? "b" : "a";

        Response drain = postJson("/api/v1/servers/" + busy + "/drain", "");
        assertThat(drain.status()).isEqualTo(200);
        assertThat((String) JsonPath.read(drain.body(), "$.state")).isEqualTo("DRAINING"); // its worker is active

        // no new work lands on it: the next job goes to the other server
        assertThat(placedWorker(submit("second")).get("server")).isEqualTo(other);
        inventory.settleDrains();
        assertThat(state(busy)).isEqualTo("DRAINING");

        workerEnds(first);
        // the heartbeat monitor settles drains every second
        await().atMost(Duration.ofSeconds(30)).until(() -> state(busy).equals("DRAINED"));

        // an idle server is drained at once; READY puts it back in service
        postJson("/api/v1/servers/" + busy + "/ready", "");
        assertThat(state(busy)).isEqualTo("READY");
        assertThat((String) JsonPath.read(postJson("/api/v1/servers/" + busy + "/drain", "").body(), "$.state"))
                .isEqualTo("DRAINED");
        // PUT state DRAINING drains the same way
        postJson("/api/v1/servers/" + busy + "/ready", "");
        assertThat((String) JsonPath.read(put("/api/v1/servers/" + busy + "/state", "{\"state\":\"DRAINING\"}").body(),
                "$.state")).isEqualTo("DRAINED");
    }

    @Test
    void cordonStopsNewWorkAndStaysCordonedWhenTheWorkEnds() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        Map<String, Object> worker = placedWorker(submit("first"));

        Response cordon = postJson("/api/v1/servers/a/cordon", "");
        assertThat((String) JsonPath.read(cordon.body(), "$.state")).isEqualTo("CORDONED");
        String waiting = submit("second");
        for (int i = 0; i < 3; i++) loop.cycle();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM workers WHERE job_id = ?::uuid", Long.class, waiting)).isZero();

        workerEnds(worker);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM workers WHERE holds_resources", Long.class) == 0);
        inventory.settleDrains();
        assertThat(state("a")).isEqualTo("CORDONED");
    }

    @Test
    void aReasonStaysWithTheServerUntilItIsReadyAgain() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        Response drain = postJson("/api/v1/servers/a/drain", "{\"reason\":\"  replace PSU (ticket 42) \"}");
        assertThat(drain.status()).as(drain.body()).isEqualTo(200);
        assertThat((String) JsonPath.read(drain.body(), "$.stateReason")).isEqualTo("replace PSU (ticket 42)");
        inventory.settleDrains();
        assertThat((String) JsonPath.read(get("/api/v1/servers/a").body(), "$.state")).isEqualTo("DRAINED");
        assertThat((String) JsonPath.read(get("/api/v1/cluster/allocation").body(), "$.servers[0].stateReason"))
                .isEqualTo("replace PSU (ticket 42)");
        assertThat((String) JsonPath.read(get("/api/v1/servers/a/allocation").body(), "$.stateReason"))
                .isEqualTo("replace PSU (ticket 42)");

        Response cordon = put("/api/v1/servers/a/state", "{\"state\":\"CORDONED\",\"reason\":\"burn-in\"}");
        assertThat((String) JsonPath.read(cordon.body(), "$.stateReason")).isEqualTo("burn-in");
        assertThat((String) JsonPath.read(postJson("/api/v1/servers/a/cordon", "").body(), "$.stateReason")).isNull();
        postJson("/api/v1/servers/a/cordon", "{\"reason\":\"burn-in\"}");
        Response ready = postJson("/api/v1/servers/a/ready", "");
        assertThat((String) JsonPath.read(ready.body(), "$.state")).isEqualTo("READY");
        assertThat((String) JsonPath.read(ready.body(), "$.stateReason")).isNull();

        Response tooLong = postJson("/api/v1/servers/a/drain", "{\"reason\":\"" + "x".repeat(501) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat((String) JsonPath.read(tooLong.body(), "$.errors[0].field")).isEqualTo("reason");
        assertThat(state("a")).isEqualTo("READY");
        assertThat(postJson("/api/v1/servers/a/drain", "{\"because\":\"x\"}").status()).isEqualTo(400);
    }

    @Test
    void drainedCannotBeSetDirectly() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        Response r = put("/api/v1/servers/a/state", "{\"state\":\"DRAINED\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat((String) JsonPath.read(r.body(), "$.errors[0].field")).isEqualTo("state");
        assertThat(state("a")).isEqualTo("READY");
    }
}
