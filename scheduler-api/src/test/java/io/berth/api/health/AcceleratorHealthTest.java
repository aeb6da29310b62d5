package io.berth.api.health;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.scheduling.SchedulingLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Agents report GPU errors in their heartbeats (over HTTP, as the node agent sends them); the health policy's defaults
 * decide: XID 79 takes the GPU out, requeues its job and drains the server; a double-bit ECC error takes the GPU out
 * and requeues its job; a recoverable XID is only recorded. An operator puts the GPU back.
 */
class AcceleratorHealthTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;
    @Autowired
    MeterRegistry meters;

    private String submit(String name, int gpus) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":1,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"600\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    /** The current attempt's worker of the job (server, GPU, id, state), after a few scheduling cycles. */
    private Map<String, Object> worker(String jobId) {
        for (int i = 0; i < 3; i++) loop.cycle();
        List<Map<String, Object>> rows = jdbc.queryForList("""
                SELECT w.id::text AS id, s.name AS server, w.gpu_indices[1] AS gpu, w.state FROM workers w
                JOIN servers s ON s.id = w.server_id JOIN jobs j ON j.id = w.job_id
                WHERE w.job_id = ?::uuid AND w.attempt = j.attempt""", jobId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** A heartbeat as the server's agent sends it; the server then stays live without further heartbeats. */
    private void heartbeat(String server, String body) {
        Response hb = postJson("/api/v1/agents/" + server + "/heartbeat", body);
        assertThat(hb.status()).as(hb.body()).isEqualTo(200);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = ?", server);
    }

    private void running(Map<String, Object> worker, String errors) {
        heartbeat((String) worker.get("server"), "{\"workers\":[{\"workerId\":\"" + worker.get("id")
                + "\",\"state\":\"RUNNING\"}],\"errors\":[" + errors + "]}");
    }

    private static String error(Object gpu, String errorClass, String key, String message) {
        return "{\"index\":" + gpu + ",\"errorClass\":\"" + errorClass + "\",\"key\":\"" + key + "\",\"message\":\""
                + message + "\"}";
    }

    private Map<String, Object> job(String id) {
        return JsonPath.read(get("/api/v1/jobs/" + id).body(), "$");
    }

    /** The reasons of the job's transitions back to QUEUED (not its submission). */
    private List<String> requeues(String jobId) {
        return jdbc.queryForList("SELECT reason FROM job_events WHERE job_id = ?::uuid AND to_state = 'QUEUED' "
                + "AND from_state IS NOT NULL ORDER BY id", String.class, jobId);
    }

    private String health(String server, Object gpu) {
        return get("/api/v1/servers/" + server + "/accelerators/" + gpu + "/health").body();
    }

    private double errorsCounted(String errorClass) {
        Counter c = meters.find("berth.accelerator.errors").tag("class", errorClass).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void xid79TakesTheGpuOutRequeuesItsJobAndDrainsTheServerUntilAnOperatorPutsThemBack() {
        liveServer("a", "default", 2, "H100", 64000, 262144);
        liveServer("b", "default", 2, "H100", 64000, 262144);
        String first = submit("first", 1);
        Map<String, Object> w = worker(first);
        String failed = (String) w.get("server");
        String other = failed.equals("a") ? "b" : "a";
        Object gpu = w.get("gpu");
        double before = errorsCounted("xid79");

        running(w, error(gpu, "xid79", "xid/5c0e", "XID 79 (GPU has fallen off the bus) on PCI 0000:07:00"));

        // the GPU is out of service with the reason, the job is queued again without a failure counted, the server drains
        String h = health(failed, gpu);
        assertThat((String) JsonPath.read(h, "$.health")).isEqualTo("UNHEALTHY");
        assertThat((Boolean) JsonPath.read(h, "$.latched")).isTrue();
        assertThat((String) JsonPath.read(h, "$.reason")).isEqualTo("xid79: XID 79 (GPU has fallen off the bus) on PCI "
                + "0000:07:00 [policy xid79 = unhealthy,requeue,drain-server]");
        assertThat((String) JsonPath.read(h, "$.errors[0].outcome"))
                .isEqualTo("marked UNHEALTHY; requeued job first (" + first + "); server DRAINING");
        // (the scheduling loop runs in the background and may already have placed it again)
        assertThat(requeues(first)).singleElement().asString()
                .startsWith("requeued to resume from its checkpoint, without counting a failure: GPU "
                        + gpu + " (H100) of server " + failed + ": XID 79");
        assertThat(job(first).get("failures")).isEqualTo(0);
        assertThat((String) JsonPath.read(get("/api/v1/servers/" + failed).body(), "$.state")).isEqualTo("DRAINING");
        assertThat(errorsCounted("xid79")).isEqualTo(before + 1);
        assertThat(management("/actuator/prometheus").body())
                .contains("berth_accelerator_errors_total{class=\"xid79\",policy=\"unhealthy,requeue,drain-server\"}");

        // the requeued job goes to the other server; the worker on the failed GPU is told to stop
        assertThat(worker(first).get("server")).isEqualTo(other);
        assertThat(jdbc.queryForObject("SELECT state FROM workers WHERE id = ?::uuid", String.class, w.get("id")))
                .isEqualTo("STOPPING");

        // the agent repeats the error (at least once delivery): nothing more happens
        running(w, error(gpu, "xid79", "xid/5c0e", "XID 79 (GPU has fallen off the bus) on PCI 0000:07:00"));
        assertThat(errorsCounted("xid79")).isEqualTo(before + 1);
        assertThat((List<?>) JsonPath.read(health(failed, gpu), "$.errors")).hasSize(1);

        // the agent has stopped that worker: its next heartbeat no longer lists it, and the server is DRAINED
        heartbeat(failed, "{}");
        assertThat(jdbc.queryForObject("SELECT state FROM workers WHERE id = ?::uuid", String.class, w.get("id")))
                .isEqualTo("STOPPED");
        assertThat((String) JsonPath.read(get("/api/v1/servers/" + failed).body(), "$.state")).isIn("DRAINING", "DRAINED");

        // a job needing both GPUs of a server fits nowhere while the failed server is out of service
        String both = submit("both", 2);
        assertThat(worker(both)).isNull();

        // the operator replaces the GPU, marks it healthy and puts the server back: the job lands there, on both GPUs
        Response put = put("/api/v1/servers/" + failed + "/accelerators/" + gpu + "/health",
                "{\"health\":\"HEALTHY\",\"reason\":\"GPU reseated\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat((String) JsonPath.read(put.body(), "$.health")).isEqualTo("HEALTHY");
        assertThat((Boolean) JsonPath.read(put.body(), "$.latched")).isFalse();
        assertThat(postJson("/api/v1/servers/" + failed + "/ready", "").status()).isEqualTo(200);
        assertThat(worker(both).get("server")).isEqualTo(failed);
    }

    @Test
    void aDoubleBitEccErrorTakesTheGpuOutAndRequeuesItsJobButTheServerStaysInService() {
        liveServer("a", "default", 2, "A100", 64000, 262144);
        String first = submit("first", 1);
        Map<String, Object> w = worker(first);
        int gpu = (Integer) w.get("gpu");
        int spare = 1 - gpu;

        running(w, error(gpu, "ecc-dbe", "ecc-dbe/0000:07:00/3", "uncorrectable (double-bit) ECC errors: 2 since the "
                + "driver loaded, 3 over the GPU's life"));

        assertThat((String) JsonPath.read(health("a", gpu), "$.health")).isEqualTo("UNHEALTHY");
        assertThat(requeues(first)).singleElement().asString().contains("ecc-dbe", "GPU " + gpu + " (A100) of server a");
        assertThat((String) JsonPath.read(get("/api/v1/servers/a").body(), "$.state")).isEqualTo("READY");
        // placement avoids the GPU at once: the job resumes on the other GPU of the same server
        assertThat(worker(first)).containsEntry("server", "a").containsEntry("gpu", spare);
        // a second job would need the failed GPU: it waits
        String second = submit("second", 1);
        assertThat(worker(second)).isNull();

        // the agent's own probe (and a restarted agent's registration) says HEALTHY: the policy's verdict stands
        heartbeat("a", "{\"acceleratorHealth\":[{\"index\":" + gpu + ",\"health\":\"HEALTHY\"}]}");
        assertThat((String) JsonPath.read(health("a", gpu), "$.health")).isEqualTo("UNHEALTHY");
        assertThat(worker(second)).isNull();

        // only an operator puts it back
        assertThat(put("/api/v1/servers/a/accelerators/" + gpu + "/health", "{\"health\":\"HEALTHY\"}").status())
                .isEqualTo(200);
        assertThat(worker(second)).containsEntry("server", "a").containsEntry("gpu", gpu);
    }

    @Test
    void aRecoverableXidIsRecordedAndCountedButChangesNothing() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        String first = submit("first", 1);
        Map<String, Object> w = worker(first);
        double before = errorsCounted("xid13");

        running(w, error(0, "xid13", "xid/77aa", "XID 13 (graphics engine exception) on PCI 0000:07:00: pid=48211, "
                + "name=python3, Graphics SM Warp Exception on (GPC 1, TPC 0, SM 0): Out Of Range Address"));

        String h = health("a", 0);
        assertThat((String) JsonPath.read(h, "$.health")).isEqualTo("HEALTHY");
        assertThat((String) JsonPath.read(h, "$.errors[0].errorClass")).isEqualTo("xid13");
        assertThat((String) JsonPath.read(h, "$.errors[0].actions")).isEqualTo("event");
        assertThat((String) JsonPath.read(h, "$.errors[0].outcome")).isEqualTo("recorded");
        assertThat(job(first).get("state")).isEqualTo("RUNNING");
        assertThat(worker(first).get("id")).isEqualTo(w.get("id"));
        assertThat((String) JsonPath.read(get("/api/v1/servers/a").body(), "$.state")).isEqualTo("READY");
        assertThat(errorsCounted("xid13")).isEqualTo(before + 1);
    }

    @Test
    void theAgentsProbeDecidesWhileNoPolicyHasAndAnOperatorCanTakeAGpuOut() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        heartbeat("a", "{\"acceleratorHealth\":[{\"index\":0,\"health\":\"UNHEALTHY\",\"reason\":\"not listed by "
                + "nvidia-smi or unreadable\"}]}");
        String h = health("a", 0);
        assertThat((String) JsonPath.read(h, "$.health")).isEqualTo("UNHEALTHY");
        assertThat((String) JsonPath.read(h, "$.reason")).isEqualTo("not listed by nvidia-smi or unreadable");
        assertThat((Boolean) JsonPath.read(h, "$.latched")).isFalse();
        heartbeat("a", "{\"acceleratorHealth\":[{\"index\":0,\"health\":\"HEALTHY\"}]}");
        assertThat((String) JsonPath.read(health("a", 0), "$.health")).isEqualTo("HEALTHY");

        Response out = put("/api/v1/servers/a/accelerators/0/health", "{\"health\":\"UNHEALTHY\",\"reason\":\"fan noise\"}");
        assertThat((String) JsonPath.read(out.body(), "$.reason")).isEqualTo("fan noise (set UNHEALTHY by test-admin)");
        heartbeat("a", "{\"acceleratorHealth\":[{\"index\":0,\"health\":\"HEALTHY\"}]}");
        assertThat((String) JsonPath.read(health("a", 0), "$.health")).isEqualTo("UNHEALTHY");
        assertThat(worker(submit("waits", 1))).isNull();
    }

    @Test
    void badHealthRequestsAreProblemsNamingTheField() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        Response bad = put("/api/v1/servers/a/accelerators/0/health", "{\"health\":\"BROKEN\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("health");
        Response missing = put("/api/v1/servers/a/accelerators/0/health", "{}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat((String) JsonPath.read(missing.body(), "$.errors[0].field")).isEqualTo("health");
        assertThat(put("/api/v1/servers/a/accelerators/5/health", "{\"health\":\"HEALTHY\"}").status()).isEqualTo(404);
        Response hb = postJson("/api/v1/agents/a/heartbeat", "{\"errors\":[" + error(0, "XID 79!", "k", "m") + "]}");
        assertThat(hb.status()).isEqualTo(400);
        assertThat((String) JsonPath.read(hb.body(), "$.errors[0].field")).isEqualTo("errors[0].errorClass");
    }
}
