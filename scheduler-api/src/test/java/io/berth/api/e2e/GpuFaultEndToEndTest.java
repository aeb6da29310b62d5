package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A GPU falls off the bus under a running job, on a real node-agent process: the XID 79 line written to the simulated
 * server's kernel log (its fault file) reaches the control plane in a heartbeat, which takes the GPU out, requeues the
 * job onto the other server and drains the failed one; the stopped worker's usage is accounted.
 */
class GpuFaultEndToEndTest extends ApiTestBase {
    @TempDir
    Path dir;
    private AgentProcesses agents;

    @AfterEach
    void stopAgents() {
        if (agents != null) agents.close();
    }

    @Test
    void xid79OnARealAgentRequeuesTheJobElsewhereAndDrainsTheServer() throws Exception {
        agents = new AgentProcesses(dir, port, tokens);
        for (String name : List.of("gpu-a", "gpu-b")) agents.start(name, 2);
        await(Duration.ofSeconds(60), () -> jdbc.queryForObject(
                "SELECT count(*) FROM servers WHERE agent_last_seen IS NOT NULL", Long.class) == 2);
        Response r = postJson("/api/v1/jobs", """
                {"name":"sleeper","tenant":"e2e","taskGroups":[{"name":"w","replicas":1,"cpuMillis":500,"memoryMib":256,"gpus":1}],
                 "runtime":{"type":"process","process":{"argv":["sleep","421"]}}}""");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = JsonPath.read(r.body(), "$.id");
        await(Duration.ofSeconds(60), () -> state(id).equals("RUNNING"));
        Map<String, Object> first = jdbc.queryForMap("""
                SELECT w.id::text AS worker, s.name AS server, w.gpu_indices[1] AS gpu FROM workers w
                JOIN servers s ON s.id = w.server_id WHERE w.job_id = ?::uuid""", id);
        String failed = (String) first.get("server");
        int gpu = (Integer) first.get("gpu");

        // the kernel reports the GPU gone (simulated GPU n sits at PCI bus n + 1)
        Path faults = Files.createDirectories(dir.resolve("work-" + failed).resolve("faults"));
        Files.writeString(faults.resolve("kern.log"), "Dec 03 18:40:02 " + failed + " kernel: [ 912.204331] NVRM: Xid "
                + "(PCI:0000:%02x:00): 79, pid=31337, name=sleep, GPU has fallen off the bus.\n".formatted(gpu + 1));

        await(Duration.ofSeconds(60), () -> "STOPPED".equals(jdbc.queryForObject(
                "SELECT state FROM workers WHERE id = ?::uuid", String.class, first.get("worker"))));
        await(Duration.ofSeconds(60), () -> state(id).equals("RUNNING") && !failed.equals(jdbc.queryForObject("""
                SELECT s.name FROM workers w JOIN servers s ON s.id = w.server_id JOIN jobs j ON j.id = w.job_id
                WHERE w.job_id = ?::uuid AND w.attempt = j.attempt""", String.class, id)));
        await(Duration.ofSeconds(30), () -> "DRAINED".equals(
                jdbc.queryForObject("SELECT state FROM servers WHERE name = ?", String.class, failed)));

        String health = get("/api/v1/servers/" + failed + "/accelerators/" + gpu + "/health").body();
        assertThat((String) JsonPath.read(health, "$.health")).isEqualTo("UNHEALTHY");
        assertThat((String) JsonPath.read(health, "$.errors[0].errorClass")).isEqualTo("xid79");
        assertThat((String) JsonPath.read(health, "$.errors[0].outcome")).contains("requeued job sleeper");
        assertThat((Integer) JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.failures")).isZero();
        assertThat(jdbc.queryForMap("SELECT server_name, worker_state, gpus FROM usage_records WHERE worker_id = ?::uuid",
                first.get("worker"))).isEqualTo(Map.of("server_name", failed, "worker_state", "STOPPED", "gpus", 1));
        assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);
    }

    private String state(String id) {
        return jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    private void await(Duration timeout, BooleanSupplier condition) throws Exception {
        agents.await(timeout, condition);
    }
}
