package io.berth.api.dashboard;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.auth.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's static files are served without a token while the API keeps requiring one, and the JSON endpoints
 * its pages read: utilization now and over time, the packing per GPU, tenants' usage against quota.
 */
class DashboardApiTest extends ApiTestBase {

    @ParameterizedTest(name = "{0} is public ({1})")
    @CsvSource({
            "/, text/html",
            "/index.html, text/html",
            "/dashboard/app.js, text/javascript",
            "/dashboard/pages/nodes.js, text/javascript",
            "/dashboard/style.css, text/css",
            "/webjars/echarts/5.3.1/dist/echarts.esm.min.js, text/javascript"})
    void staticFilesNeedNoToken(String path, String type) {
        token = null;

        Response r = get(path);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith(type);
    }

    @ParameterizedTest(name = "{0} still needs a token")
    @CsvSource({"/api/v1/jobs", "/api/v1/cluster/utilization", "/api/v1/cluster/packing", "/api/v1/cluster/tenants",
            "/dashboard/../api/v1/jobs", "/webjars/../api/v1/servers"})
    void apiStillNeedsAToken(String path) {
        token = null;

        Response r = get(path);

        assertThat(r.status()).as(r.body()).isIn(400, 401);
        assertThat(r.body()).doesNotContain("\"items\"");
    }

    @Test
    void indexIsTheSignInShell() {
        token = null;
        String page = get("/").body();
        assertThat(page).contains("<title>Berth</title>", "id=\"sign-in-form\"", "/dashboard/app.js");
    }

    @Test
    void utilizationNowAndOverTime() {
        liveServer("u1", "default", 4, "A100", 16000, 65536);
        submit("half", "t1", 1, 500);   // one GPU at 500 milli: 500 idle on a partly used GPU
        submit("whole", "t1", 1, 1000); // 1500 of 4000 allocated
        await().atMost(Duration.ofSeconds(30)).until(() -> gpuUsed() == 1500);

        String now = get("/api/v1/cluster/utilization").body();

        assertThat((Map<String, Object>) JsonPath.read(now, "$.now")).containsEntry("gpuCapacityMilli", 4000)
                .containsEntry("gpuAllocatedMilli", 1500).containsEntry("allocationRatio", 0.375)
                .containsEntry("fragmentationRatio", 0.125).containsEntry("queuedJobs", 0).containsEntry("runningJobs", 2);
        assertThat((Integer) JsonPath.read(now, "$.hours")).isEqualTo(3);
        // the control plane samples every 5 s; a sample with this allocation shows up in the history
        await().atMost(Duration.ofSeconds(30)).until(() -> ((List<Number>) JsonPath.read(
                get("/api/v1/cluster/utilization?hours=1").body(), "$.history[*].gpuAllocatedMilli"))
                .stream().anyMatch(n -> n.intValue() == 1500));
    }

    @ParameterizedTest(name = "hours={0} is refused")
    @CsvSource({"0", "25", "x"})
    void utilizationHoursOutOfRange(String hours) {
        Response r = get("/api/v1/cluster/utilization?hours=" + hours);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("hours");
    }

    @Test
    void packingListsEveryGpuWithItsShareAndHealth() {
        liveServer("p2", "default", 2, "A100", 16000, 65536);
        liveServer("p1", "default", 3, "H100", 16000, 65536);
        jdbc.update("UPDATE accelerators SET health = 'UNHEALTHY' WHERE idx = 2 AND server_id = "
                + "(SELECT id FROM servers WHERE name = 'p1')");
        submit("one", "t1", 1, 1000);
        await().atMost(Duration.ofSeconds(30)).until(() -> gpuUsed() == 1000);

        String body = get("/api/v1/cluster/packing").body();

        assertThat((List<String>) JsonPath.read(body, "$.servers[*].name")).containsExactly("p1", "p2");
        List<Integer> p1 = JsonPath.read(body, "$.servers[0].gpuMilli");
        List<Integer> p2 = JsonPath.read(body, "$.servers[1].gpuMilli");
        // bestfit puts the one-GPU job on one of the healthy GPUs; 1000 milli in all
        assertThat(p1.stream().mapToInt(Integer::intValue).sum() + p2.stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(1000);
        assertThat(p1).hasSize(3).element(2).isEqualTo(0);
        assertThat(p2).hasSize(2);
        assertThat((List<String>) JsonPath.read(body, "$.servers[0].gpuHealth"))
                .containsExactly("HEALTHY", "HEALTHY", "UNHEALTHY");
        assertThat((Integer) JsonPath.read(body, "$.servers[0].cpuMillis")).isEqualTo(16000);
    }

    @Test
    void tenantsUsageAgainstQuota() {
        liveServer("t-s1", "default", 4, "A100", 16000, 65536);
        assertThat(put("/api/v1/quotas/team-a", "{\"gpuMilli\":3000}").status()).isEqualTo(200);
        assertThat(put("/api/v1/quotas/idle", "{\"cpuMillis\":4000}").status()).isEqualTo(200);
        submit("a1", "team-a", 2, 1000);       // holds 2 GPUs, 2 CPUs
        submit("a2", "team-a", 2, 1000);       // would exceed team-a's 3 GPUs: waits
        submit("b1", "team-b", 1, 250);        // 1 GPU at 250 milli
        await().atMost(Duration.ofSeconds(30)).until(() -> gpuUsed() == 2250);

        String body = get("/api/v1/cluster/tenants").body();

        assertThat((List<String>) JsonPath.read(body, "$[*].tenant")).containsExactly("idle", "team-a", "team-b");
        assertThat((Map<String, Object>) JsonPath.read(body, "$[1]")).containsEntry("gpuMilliUsed", 2000)
                .containsEntry("cpuMillisUsed", 1000).containsEntry("queuedJobs", 1).containsEntry("runningJobs", 1)
                .containsEntry("quota", quota("team-a", 3000, null));
        assertThat((Map<String, Object>) JsonPath.read(body, "$[2]")).containsEntry("gpuMilliUsed", 250)
                .containsEntry("quota", null);
        assertThat((Map<String, Object>) JsonPath.read(body, "$[0]")).containsEntry("gpuMilliUsed", 0)
                .containsEntry("queuedJobs", 0);

        token = tokens.issue("bob", Role.USER, "team-b", null).token();
        assertThat((List<String>) JsonPath.read(get("/api/v1/cluster/tenants").body(), "$[*].tenant"))
                .containsExactly("team-b");
    }

    @Test
    void theDashboardEndpointsAreDescribedInOpenApi() {
        String docs = get("/v3/api-docs").body();

        assertThat(docs).contains("\"/api/v1/cluster/utilization\"", "\"/api/v1/cluster/packing\"",
                "\"/api/v1/cluster/tenants\"", "\"TenantUsage\"", "\"ServerPacking\"");
    }

    private void submit(String name, String tenant, int gpus, int milliGpu) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"" + tenant + "\","
                + "\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus
                + ",\"milliGpu\":" + milliGpu + "}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"60\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static Map<String, Object> quota(String tenant, Integer gpuMilli, Integer cpuMillis) {
        Map<String, Object> q = new java.util.HashMap<>();
        q.put("tenant", tenant);
        q.put("gpuMilli", gpuMilli);
        q.put("cpuMillis", cpuMillis);
        return q;
    }

    private long gpuUsed() {
        return jdbc.queryForObject("SELECT coalesce(sum(used_milli), 0) FROM accelerator_usage", Long.class);
    }
}
