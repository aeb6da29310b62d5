package io.berth.api.agents;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.auth.Role;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registration of node agents against the inventory (issue #10): an agent adopts a server an operator described only
 * if its hardware covers the description (which it then leaves as it is), else 409 with the differences; an agent
 * restarting on its own server keeps working and keeps the usage; a re-registration that would remove held
 * resources is refused like an operator's edit.
 */
class AgentRegistrationTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    private String enrollment;

    @BeforeEach
    void enrollmentToken() {
        enrollment = tokens.issue("fleet", Role.AGENT, null, null).token();
    }

    static String gpus(int count, String model, int memoryMib) {
        return IntStream.range(0, count).mapToObj(i -> "{\"index\":" + i + ",\"kind\":\"GPU\",\"vendor\":\"NVIDIA\","
                + "\"model\":\"" + model + "\",\"memoryMib\":" + memoryMib + "}").collect(Collectors.joining(","));
    }

    static String registration(String name, long cpuMillis, long memoryMib, String accelerators, List<String> running) {
        return "{\"name\":\"" + name + "\",\"address\":\"10.0.0.9\",\"cpuMillis\":" + cpuMillis + ",\"memoryMib\":"
                + memoryMib + ",\"networkMbps\":0,\"accelerators\":[" + accelerators + "],\"localDevices\":[{\"name\":"
                + "\"nvme0\",\"medium\":\"NVME\",\"capacityGib\":3840,\"readMbPerSec\":7000,\"writeMbPerSec\":4000}],"
                + "\"runningWorkerIds\":[" + running.stream().map(w -> "\"" + w + "\"").collect(Collectors.joining(","))
                + "]}";
    }

    /** An operator imports dgx-9 into rack r1: 8 H100 of 81920 MiB, 128000 millicores, 1048576 MiB, 3840 GiB. */
    private void importDgx9() {
        Response r = postJson("/api/v1/inventory/import", """
                {"zones":[{"name":"z1"}],"racks":[{"name":"r1","zone":"z1"}],
                 "servers":[{"name":"dgx-9","rack":"r1","cpuMillis":128000,"memoryMib":1048576,"labels":{"pool":"a"},
                   "accelerators":[%s],
                   "localDevices":[{"name":"nvme0","medium":"NVME","capacityGib":3840,"readMbPerSec":7000,"writeMbPerSec":4000}]}]}
                """.formatted(gpus(8, "H100", 81920)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private Response register(String asToken, String body) {
        String admin = token;
        token = asToken;
        try {
            return postJson("/api/v1/agents/register", body);
        } finally {
            token = admin;
        }
    }

    /** The operator's part of a server's description, as the API shows it. */
    private Map<String, Object> description(String name) {
        String body = get("/api/v1/servers/" + name).body();
        return Map.of("rack", JsonPath.read(body, "$.rack"), "cpuMillis", JsonPath.read(body, "$.cpuMillis"),
                "memoryMib", JsonPath.read(body, "$.memoryMib"), "labels", JsonPath.read(body, "$.labels"),
                "accelerators", JsonPath.read(body, "$.accelerators"), "localDevices", JsonPath.read(body, "$.localDevices"));
    }

    /** What an agent found on dgx-9, and what the registration answers. */
    record Found(String name, String registration, int status, Map<String, String> differences) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Found> found() {
        return Stream.of(
                new Found("no GPUs (the issue's case: 8 described, 0 found)",
                        registration("dgx-9", 128000, 1048576, "", List.of()), 409,
                        Map.of("accelerators", "described 8 accelerators, the agent found 0",
                                "accelerators[7]", "accelerator 7: described GPU H100 (81920 MiB), the agent found none")),
                new Found("an A100 at index 3",
                        registration("dgx-9", 128000, 1048576, gpus(8, "H100", 81920).replaceFirst(
                                "(\"index\":3,[^}]*\"model\":\")H100", "$1A100"), List.of()), 409,
                        Map.of("accelerators[3]", "accelerator 3: described GPU H100 (81920 MiB), the agent found GPU A100 (81920 MiB)")),
                new Found("GPUs with less memory (81920 -> 40960 MiB)",
                        registration("dgx-9", 128000, 1048576, gpus(8, "H100", 40960), List.of()), 409,
                        Map.of("accelerators[0]", "accelerator 0: described GPU H100 (81920 MiB), the agent found GPU H100 (40960 MiB)")),
                // 524288 < 1048576 described
                new Found("half the memory", registration("dgx-9", 128000, 524288, gpus(8, "H100", 81920), List.of()), 409,
                        Map.of("memoryMib", "described 1048576 MiB of memory, the agent found 524288")),
                new Found("the same hardware", registration("dgx-9", 128000, 1048576, gpus(8, "H100", 81920), List.of()),
                        200, Map.of()),
                // more than described is fine (the operator may hold some back); the model differs only in spelling
                new Found("more CPU, memory and GPU memory, model spelled h-100",
                        registration("dgx-9", 192000, 2097152, gpus(8, "h-100", 81920 + 256), List.of()), 200, Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("found")
    void anEnrollmentTokenAdoptsAnImportedServerOnlyIfTheHardwareCoversIt(Found f) {
        importDgx9();
        Map<String, Object> described = description("dgx-9");
        long tokensBefore = jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE server = 'dgx-9'", Long.class);

        Response r = register(enrollment, f.registration());

        assertThat(r.status()).as(r.body()).isEqualTo(f.status());
        assertThat(description("dgx-9")).as("the operator's description is kept").isEqualTo(described);
        boolean seen = jdbc.queryForObject("SELECT agent_last_seen IS NOT NULL FROM servers WHERE name = 'dgx-9'",
                Boolean.class);
        if (f.status() == 409) {
            assertThat((String) JsonPath.read(r.body(), "$.type")).isEqualTo("https://berth.dev/problems/hardware-mismatch");
            List<Map<String, String>> errors = JsonPath.read(r.body(), "$.errors");
            Map<String, String> byField = errors.stream().collect(Collectors.toMap(e -> e.get("field"), e -> e.get("message")));
            assertThat(byField).containsAllEntriesOf(f.differences());
            assertThat(seen).as("not registered").isFalse();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE server = 'dgx-9'", Long.class))
                    .as("no token issued").isEqualTo(tokensBefore);
        } else {
            assertThat((String) JsonPath.read(r.body(), "$.agentToken")).isNotBlank();
            assertThat(seen).isTrue();
            assertThat((String) JsonPath.read(get("/api/v1/servers/dgx-9").body(), "$.describedBy"))
                    .isEqualTo("OPERATOR");
        }
    }

    private String placeJob(int gpus) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"train\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":1,\"cpuMillis\":48000,\"memoryMib\":131072,\"gpus\":" + gpus + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = JsonPath.read(r.body(), "$.id");
        for (int i = 0; i < 3; i++) loop.cycle();
        assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id)).isEqualTo("SCHEDULED");
        return jdbc.queryForObject("SELECT id::text FROM workers WHERE job_id = ?::uuid", String.class, id);
    }

    private String usage(String server) {
        return jdbc.queryForObject("""
                SELECT s.cpu_millis_used || '/' || s.memory_mib_used || ' ' || string_agg(a.idx || '=' || a.used_milli, ','
                    ORDER BY a.idx)
                FROM servers n JOIN server_usage s ON s.server_id = n.id
                    LEFT JOIN accelerator_usage a ON a.server_id = n.id WHERE n.name = ?
                GROUP BY s.cpu_millis_used, s.memory_mib_used""", String.class, server);
    }

    private void keepAlive(String server) {
        // no real agent heartbeats here: keep the heartbeat monitor from taking the server out during the test
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = ?", server);
    }

    @Test
    void anAgentRestartingOnItsOwnServerKeepsWorkingAndKeepsTheUsage() {
        Response first = register(enrollment, registration("sim-1", 64000, 262144, gpus(4, "H100", 81920), List.of()));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String bound = JsonPath.read(first.body(), "$.agentToken");
        assertThat((String) JsonPath.read(get("/api/v1/servers/sim-1").body(), "$.describedBy"))
                .isEqualTo("AGENT");
        keepAlive("sim-1");
        String worker = placeJob(2);
        String usage = usage("sim-1");
        assertThat(usage).startsWith("48000/131072 ");

        // restart with the same hardware, with the bound token and with the enrollment token
        for (String t : List.of(bound, enrollment)) {
            Response again = register(t, registration("sim-1", 64000, 262144, gpus(4, "H100", 81920), List.of(worker)));
            assertThat(again.status()).as(again.body()).isEqualTo(200);
            assertThat(usage("sim-1")).isEqualTo(usage);
            if (t.equals(enrollment)) bound = JsonPath.read(again.body(), "$.agentToken"); // the old one is revoked
        }
        assertThat(jdbc.queryForObject("SELECT state FROM workers WHERE id = ?::uuid", String.class, worker))
                .isEqualTo("ASSIGNED");

        // the agent's own hardware may change, but not under a holder
        Response lost = register(bound, registration("sim-1", 64000, 262144, "", List.of(worker)));
        assertThat(lost.status()).as(lost.body()).isEqualTo(409);
        assertThat((String) JsonPath.read(lost.body(), "$.type")).isEqualTo("https://berth.dev/problems/resource-in-use");
        assertThat((String) JsonPath.read(lost.body(), "$.detail")).contains("is held by job train (");
        assertThat(usage("sim-1")).isEqualTo(usage);

        Response grown = register(bound, registration("sim-1", 64000, 262144, gpus(8, "H100", 81920), List.of(worker)));
        assertThat(grown.status()).as(grown.body()).isEqualTo(200);
        assertThat((List<Object>) JsonPath.read(get("/api/v1/servers/sim-1").body(), "$.accelerators")).hasSize(8);
        assertThat(usage("sim-1")).startsWith(usage).endsWith(",4=0,5=0,6=0,7=0");
    }

    @Test
    void anAgentRestartingOnAnAdoptedServerKeepsTheUsage() {
        importDgx9();
        String body = registration("dgx-9", 128000, 1048576, gpus(8, "H100", 81920), List.of());
        Response adopted = register(enrollment, body);
        assertThat(adopted.status()).as(adopted.body()).isEqualTo(200);
        keepAlive("dgx-9");
        String worker = placeJob(8);
        String usage = usage("dgx-9");

        Response again = register(JsonPath.read(adopted.body(), "$.agentToken"), body.replace("[]}", "[\"" + worker + "\"]}"));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(usage("dgx-9")).isEqualTo(usage);
        assertThat(usage).isEqualTo("48000/131072 0=1000,1=1000,2=1000,3=1000,4=1000,5=1000,6=1000,7=1000");
        assertThat(get("/api/v1/servers/dgx-9").body()).contains("\"rack\":\"r1\"");
    }
}
