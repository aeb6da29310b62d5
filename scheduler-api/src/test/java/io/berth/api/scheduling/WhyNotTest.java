package io.berth.api.scheduling;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user is told when a job cannot run: the whole-cluster arithmetic for a job larger than the cluster,
 * servers without an agent named as such (in the server view and in the pending reason) without hiding other
 * reasons, and a job larger than its tenant's whole quota refused at submission like any never-fitting job.
 */
class WhyNotTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    private static String job(String name, String tenant, int replicas, int gpus, String models) {
        return "{\"name\":\"" + name + "\",\"tenant\":\"" + tenant + "\",\"taskGroups\":[{\"name\":\"trainer\",\"replicas\":"
                + replicas + ",\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus
                + (models == null ? "" : ",\"acceleratorModels\":[\"" + models + "\"]")
                + "}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";
    }

    private void server(String name, String model) {
        StringBuilder gpus = new StringBuilder();
        for (int i = 0; i < 8; i++) gpus.append(i == 0 ? "" : ",").append("{\"kind\":\"GPU\",\"model\":\"").append(model)
                .append("\",\"memoryMib\":81920}");
        Response r = postJson("/api/v1/servers", "{\"name\":\"" + name + "\",\"cpuMillis\":64000,\"memoryMib\":262144,"
                + "\"accelerators\":[" + gpus + "]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void aJobLargerThanTheClusterIsRefusedWithTheClustersTotals() {
        server("sim-a100-1", "A100");
        server("sim-a100-2", "A100");
        Response r = postJson("/api/v1/jobs", job("big", "team-a", 25, 4, null));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        // 25 replicas x 4 GPUs = 100 GPUs; 2 servers x 8 = 16
        assertThat((String) JsonPath.read(r.body(), "$.detail")).isEqualTo("the job can never fit this cluster: "
                + "the job needs 100 GPUs (25 replicas x 4 GPUs) and the cluster has 16 GPUs");
        assertThat((List<Map<String, String>>) JsonPath.read(r.body(), "$.errors")).containsExactly(Map.of(
                "field", "taskGroups.trainer",
                "message", "the cluster has too few GPUs (requested 100 GPUs, the cluster has 16 GPUs)"));
        assertThat(count("jobs")).isZero();
    }

    @Test
    void serversShowWhetherAnAgentIsConnected() {
        server("imported", "A100");
        liveServer("live", "default", 1, "A100", 64000, 262144);
        Response imported = get("/api/v1/servers/imported");
        assertThat((String) JsonPath.read(imported.body(), "$.state")).isEqualTo("READY");
        assertThat((Boolean) JsonPath.read(imported.body(), "$.agentConnected")).isFalse();
        assertThat((Object) JsonPath.read(imported.body(), "$.agentHeartbeatAgeSeconds")).isNull();
        Response live = get("/api/v1/servers/live");
        assertThat((Boolean) JsonPath.read(live.body(), "$.agentConnected")).isTrue();
        assertThat(((Number) JsonPath.read(live.body(), "$.agentHeartbeatAgeSeconds")).longValue()).isZero();

        // an agent last heard from longer ago than the heartbeat timeout (5 s in tests) is not connected
        jdbc.update("UPDATE servers SET agent_last_seen = now() - interval '60 seconds' WHERE name = 'live'");
        Response silent = get("/api/v1/servers?size=10");
        assertThat((List<Boolean>) JsonPath.read(silent.body(), "$.items[?(@.name == 'live')].agentConnected"))
                .containsExactly(false);
        assertThat((List<Number>) JsonPath.read(silent.body(), "$.items[?(@.name == 'live')].agentHeartbeatAgeSeconds"))
                .singleElement().satisfies(age -> assertThat(age.longValue()).isGreaterThanOrEqualTo(60));
    }

    @Test
    void aPendingJobNamesServersWithoutAnAgentAndEveryOtherReason() {
        server("sim-a100-1", "A100"); // no agent
        server("sim-h100-1", "H100"); // no agent, and the wrong model
        Response r = postJson("/api/v1/jobs", job("wants-a100", "team-a", 1, 1, "A100"));
        assertThat(r.status()).as(r.body()).isEqualTo(201); // it could run once an agent serves sim-a100-1
        String id = JsonPath.read(r.body(), "$.id");
        for (int i = 0; i < 3; i++) loop.cycle();
        assertThat((String) JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.pendingReason"))
                .isEqualTo("2 servers: no agent connected; 1: GPU model not accepted");
    }

    @Test
    void aJobLargerThanItsTenantsWholeQuotaIsRefused() {
        server("sim-a100-1", "A100");
        assertThat(put("/api/v1/quotas/team-q", "{\"gpuMilli\":2000}").status()).isEqualTo(200);
        // 1 replica x 4 GPUs = 4,000 milli-GPU held while it runs; the quota allows 2,000 at once
        Response r = postJson("/api/v1/jobs", job("over-quota", "team-q", 1, 4, null));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat((String) JsonPath.read(r.body(), "$.type")).isEqualTo("https://berth.dev/problems/never-fits");
        assertThat((String) JsonPath.read(r.body(), "$.detail")).isEqualTo("the job can never start: tenant team-q's "
                + "quota gpuMilli 2,000 is less than the 4,000 milli-GPU the job holds while it runs");
        assertThat((List<String>) JsonPath.read(r.body(), "$.errors[*].field")).containsExactly("tenant");

        // in a batch the job is named by index and nothing is stored
        Response batch = postJson("/api/v1/jobs/batch", "{\"jobs\":[" + job("fits", "team-q", 1, 2, null) + ","
                + job("over-quota", "team-q", 1, 4, null) + "]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(422);
        assertThat((List<String>) JsonPath.read(batch.body(), "$.errors[*].field")).containsExactly("jobs[1].tenant");
        assertThat(count("jobs")).isZero();

        // within the quota (2 GPUs = 2,000 milli-GPU) is accepted, and so is any size for a tenant without a quota
        assertThat(postJson("/api/v1/jobs", job("fits", "team-q", 1, 2, null)).status()).isEqualTo(201);
        assertThat(postJson("/api/v1/jobs", job("no-quota", "team-other", 1, 4, null)).status()).isEqualTo(201);
    }
}
