package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.auth.Role;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/cluster/allocation} and {@code /servers/{name}/allocation}: the counters and holders the
 * placements wrote, per accelerator and per model. Placed workers stay ASSIGNED (no agent runs them), so they hold
 * their resources for the whole test.
 */
class AllocationApiTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    private String place(String name, String tenant, int gpus, int milliGpu, String model) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"" + tenant + "\","
                + "\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":8000,\"memoryMib\":16384,\"gpus\":" + gpus
                + ",\"milliGpu\":" + milliGpu + ",\"acceleratorModels\":[\"" + model + "\"]}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = JsonPath.read(r.body(), "$.id");
        for (int i = 0; i < 3; i++) loop.cycle(); // the background loop may place it too; the database settles races
        assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id))
                .as(get("/api/v1/jobs/" + id).body()).isEqualTo("SCHEDULED");
        return id;
    }

    @Test
    void countsWhatPlacementsHoldPerAcceleratorAndModel() {
        liveServer("h-1", "default", 4, "H100", 64000, 262144);
        liveServer("a-1", "default", 2, "A100", 32000, 131072);
        String whole = place("train", "t", 2, 1000, "H100");
        String shared = place("notebook", "u", 1, 300, "H100");
        jdbc.update("UPDATE accelerators SET health = 'UNHEALTHY' FROM servers s "
                + "WHERE s.id = accelerators.server_id AND s.name = 'a-1' AND accelerators.idx = 1");

        Response server = get("/api/v1/servers/h-1/allocation");
        assertThat(server.status()).as(server.body()).isEqualTo(200);
        assertThat((Integer) JsonPath.read(server.body(), "$.cpuMillis.allocated")).isEqualTo(16000);
        assertThat((Integer) JsonPath.read(server.body(), "$.memoryMib.capacity")).isEqualTo(262144);
        assertThat((Boolean) JsonPath.read(server.body(), "$.agentConnected")).isTrue();
        List<Map<String, Object>> trainHolders = JsonPath.read(server.body(), "$.accelerators[*].holders[?(@.jobName == 'train')]");
        assertThat(trainHolders).hasSize(2).allSatisfy(h -> {
            assertThat(h).containsEntry("jobId", whole).containsEntry("tenant", "t").containsEntry("milliGpu", 1000);
        });
        List<Integer> sharedMilli = JsonPath.read(server.body(), "$.accelerators[?(@.holders[0].jobId == '" + shared + "')].allocatedMilli");
        assertThat(sharedMilli).containsExactly(300);
        List<Integer> allocated = JsonPath.read(server.body(), "$.accelerators[*].allocatedMilli");
        assertThat(allocated.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2300);

        Response cluster = get("/api/v1/cluster/allocation");
        assertThat(cluster.status()).as(cluster.body()).isEqualTo(200);
        assertThat((List<?>) JsonPath.read(cluster.body(), "$.models[?(@.model == 'H100' && @.total == 4 && @.free == 1 "
                + "&& @.allocatedMilli == 2300 && @.unhealthy == 0)]")).as(cluster.body()).hasSize(1);
        assertThat((List<?>) JsonPath.read(cluster.body(), "$.models[?(@.model == 'A100' && @.total == 2 && @.free == 1 "
                + "&& @.allocatedMilli == 0 && @.unhealthy == 1)]")).as(cluster.body()).hasSize(1);
        assertThat((List<String>) JsonPath.read(cluster.body(), "$.servers[*].server")).containsExactly("a-1", "h-1");
        assertThat((List<?>) JsonPath.read(cluster.body(), "$.servers[?(@.server == 'h-1')].gpus[?(@.free == 1)]")).hasSize(1);
    }

    @Test
    void aUserSeesEveryCounterButOnlyItsOwnTenantsHolders() {
        liveServer("h-1", "default", 4, "H100", 64000, 262144);
        place("theirs", "other", 1, 1000, "H100");
        String mine = place("mine", "mine", 1, 1000, "H100");
        token = tokens.issue("alice", Role.USER, "mine", null).token();

        Response server = get("/api/v1/servers/h-1/allocation");
        assertThat(server.status()).as(server.body()).isEqualTo(200);
        assertThat((List<String>) JsonPath.read(server.body(), "$.accelerators[*].holders[*].jobId")).containsExactly(mine);
        List<Integer> allocated = JsonPath.read(server.body(), "$.accelerators[*].allocatedMilli");
        assertThat(allocated.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2000);
        assertThat(get("/api/v1/cluster/allocation").status()).isEqualTo(200);
    }

    @Test
    void anUnknownServerIsAProblem() {
        Response r = get("/api/v1/servers/nowhere/allocation");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat((String) JsonPath.read(r.body(), "$.detail")).contains("nowhere");
    }
}
