package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real node-agent process on a simulated 4-GPU server whose hardware file gives idle 400 W and peak 2,000 W reports
 * its model in every heartbeat: the cluster's power shows it at idle, then with half its GPUs held by a job at
 * 400 + 1,600 x 0.5 = 1,200 W, and the server's energy counter grows.
 */
class PowerEndToEndTest extends ApiTestBase {
    @TempDir
    Path dir;
    private AgentProcesses agents;

    @AfterEach
    void stopAgents() {
        if (agents != null) agents.close();
    }

    private String power() {
        Response r = get("/api/v1/cluster/power");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private boolean reports(int watts) {
        String b = power();
        List<Integer> w = JsonPath.read(b, "$.servers[?(@.name == 'sim-power')].watts");
        List<String> s = JsonPath.read(b, "$.servers[?(@.name == 'sim-power')].source");
        return w.equals(List.of(watts)) && s.equals(List.of("model"));
    }

    @Test
    void aSimulatedAgentReportsItsModelAndTheClusterPowerShowsIt() throws Exception {
        agents = new AgentProcesses(dir, port, tokens);
        agents.start("sim-power", 4, "idlePowerWatts: 400\npeakPowerWatts: 2000\n");
        agents.await(Duration.ofSeconds(60), () -> reports(400));
        assertThat(((Number) JsonPath.read(power(), "$.itWatts")).longValue()).isEqualTo(400);

        Response r = postJson("/api/v1/jobs", """
                {"name":"half","tenant":"e2e","taskGroups":[{"name":"w","replicas":1,"cpuMillis":500,"memoryMib":256,"gpus":2}],
                 "runtime":{"type":"process","process":{"argv":["sleep","300"]}}}""");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = JsonPath.read(r.body(), "$.id");
        agents.await(Duration.ofSeconds(60), () -> reports(1200));
        agents.await(Duration.ofSeconds(30), () -> jdbc.queryForObject(
                "SELECT energy_joules FROM servers WHERE name = 'sim-power'", Long.class) > 0);
        assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);
    }
}
