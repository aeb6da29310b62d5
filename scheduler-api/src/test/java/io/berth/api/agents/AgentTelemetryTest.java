package io.berth.api.agents;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a heartbeat writes besides its workers, over real HTTP on the real PostgreSQL: the agent's accelerator probe
 * in one statement, and the wire's enums refusing what an agent cannot say.
 */
class AgentTelemetryTest extends ApiTestBase {

    private Response heartbeat(String server, String body) {
        Response hb = postJson("/api/v1/agents/" + server + "/heartbeat", body);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = ?", server);
        return hb;
    }

    private long version(String server) {
        return jdbc.queryForObject("SELECT version FROM servers WHERE name = ?", Long.class, server);
    }

    private List<Map<String, Object>> health(String server) {
        return jdbc.queryForList("""
                SELECT a.idx, a.health, a.health_reason FROM accelerators a JOIN servers s ON s.id = a.server_id
                WHERE s.name = ? ORDER BY a.idx""", server);
    }

    private static Map<String, Object> gpu(int idx, String health, String reason) {
        java.util.HashMap<String, Object> row = new java.util.HashMap<>();
        row.put("idx", idx);
        row.put("health", health);
        row.put("health_reason", reason);
        return row;
    }

    @Test
    void theProbeChangesEveryAcceleratorItReportsDifferentlyAndTheServerVersionOncePerChange() {
        liveServer("a", "default", 3, "H100", 64000, 262144);
        long before = version("a");
        String probe = """
                {"acceleratorHealth":[{"index":0,"health":"UNHEALTHY","reason":"fell off the bus"},
                  {"index":1,"health":"HEALTHY","reason":"ignored when healthy"},
                  {"index":2,"health":"DEGRADED","reason":"throttled"}]}""";
        assertThat(heartbeat("a", probe).status()).isEqualTo(200);
        assertThat(health("a")).containsExactly(gpu(0, "UNHEALTHY", "fell off the bus"), gpu(1, "HEALTHY", null),
                gpu(2, "DEGRADED", "throttled"));
        // two accelerators changed: + 2, as when each was its own statement
        assertThat(version("a")).isEqualTo(before + 2);

        // the same probe again changes nothing
        assertThat(heartbeat("a", probe).status()).isEqualTo(200);
        assertThat(version("a")).isEqualTo(before + 2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWorkerStateOnlyTheControlPlaneWritesIsAProblemNamingTheField() {
        liveServer("a", "default", 1, "H100", 64000, 262144);
        Response bad = heartbeat("a", """
                {"workers":[{"workerId":"00000000-0000-0000-0000-000000000001","state":"LOST"}]}""");
        assertThat(bad.status()).isEqualTo(400);
        // the same problem type and field as the pattern it replaces; the message lists the enum's values
        assertThat((String) JsonPath.read(bad.body(), "$.type")).isEqualTo("https://berth.dev/problems/invalid-request");
        assertThat((List<Object>) JsonPath.read(bad.body(), "$.errors")).containsExactly(Map.of(
                "field", "workers[0].state",
                "message", "invalid value 'LOST', expected one of RUNNING, SUCCEEDED, FAILED"));
    }
}
