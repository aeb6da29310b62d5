package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inventory edits against resources a placed job holds (issue #10): PUT, import and DELETE refuse with 409 naming
 * the holders, change nothing, and never reset a usage counter; edits of free resources go through. A placed job's
 * worker stays ASSIGNED (no agent runs it), so it holds its resources until a heartbeat reports it finished.
 */
class InventoryInUseTest extends ApiTestBase {
    private static final String SERVER = "dgx-1";

    @Autowired
    SchedulingLoop loop;

    /** The job placed on dgx-1 (2 GPUs, 48000 millicores, 131072 MiB, 1000 GiB local storage) and its GPUs. */
    record Placed(String jobId, String workerId, List<Integer> gpus) {
        List<Integer> free() {
            return IntStream.range(0, 4).boxed().filter(i -> !gpus.contains(i)).toList();
        }

        String holder() {
            return "job train (" + jobId + ")";
        }
    }

    static String gpu(int index, String model, int memoryMib) {
        return "{\"index\":" + index + ",\"kind\":\"GPU\",\"vendor\":\"NVIDIA\",\"model\":\"" + model
                + "\",\"memoryMib\":" + memoryMib + "}";
    }

    static String h100s(List<Integer> indices) {
        return indices.stream().map(i -> gpu(i, "H100", 81920)).collect(Collectors.joining(","));
    }

    static String server(long cpuMillis, long memoryMib, long storageGib, String accelerators) {
        return "{\"name\":\"" + SERVER + "\",\"rack\":\"default\",\"cpuMillis\":" + cpuMillis + ",\"memoryMib\":"
                + memoryMib + ",\"accelerators\":[" + accelerators + "],\"localDevices\":[{\"name\":\"nvme0\","
                + "\"medium\":\"NVME\",\"capacityGib\":" + storageGib + ",\"readMbPerSec\":7000,\"writeMbPerSec\":4000}]}";
    }

    /** dgx-1: 4 H100 (indices 0-3), 64000 millicores, 262144 MiB, 3840 GiB NVMe; live as far as the scheduler knows. */
    private void createServer() {
        Response r = postJson("/api/v1/servers", server(64000, 262144, 3840, h100s(List.of(0, 1, 2, 3))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        markLive(SERVER);
    }

    private void markLive(String name) {
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day', agent_address = 'localhost' "
                + "WHERE name = ?", name);
    }

    private String submit(String name, int gpus) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":1,\"cpuMillis\":48000,\"memoryMib\":131072,\"localStorageGib\":1000,\"gpus\":" + gpus + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private Placed place(String name, int gpus) {
        String id = submit(name, gpus);
        for (int i = 0; i < 3; i++) loop.cycle(); // the background loop may place it too; the database settles races
        assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id))
                .as(get("/api/v1/jobs/" + id).body()).isEqualTo("SCHEDULED");
        return jdbc.queryForObject("SELECT id::text, gpu_indices FROM workers WHERE job_id = ?::uuid", (rs, n) -> {
            List<Integer> held = new ArrayList<>(List.of((Integer[]) rs.getArray(2).getArray()));
            held.sort(null);
            return new Placed(id, rs.getString(1), held);
        }, id);
    }

    /** Usage as stored: the server's counters and the GPUs given out, e.g. "cpu=48000 mem=131072 net=0 gpus={0=1000, 1=1000}". */
    private String usage() {
        Map<String, Object> s = jdbc.queryForMap("SELECT cpu_millis_used, memory_mib_used, network_mbps_used FROM server_usage u "
                + "JOIN servers s ON s.id = u.server_id WHERE s.name = ?", SERVER);
        Map<Integer, Integer> gpus = new java.util.TreeMap<>();
        jdbc.query("SELECT a.idx, a.used_milli FROM accelerator_usage a JOIN servers s ON s.id = a.server_id "
                        + "WHERE s.name = ? AND a.used_milli <> 0",
                rs -> {
                    gpus.put(rs.getInt(1), rs.getInt(2));
                }, SERVER);
        return "cpu=" + s.get("cpu_millis_used") + " mem=" + s.get("memory_mib_used") + " net=" + s.get("network_mbps_used")
                + " gpus=" + gpus;
    }

    /** The invariant: every counter equals the sum over the workers holding resources. */
    private void assertCountersMatchHolders() {
        assertThat(jdbc.queryForList("""
                SELECT s.name FROM servers s LEFT JOIN (
                    SELECT server_id, sum(cpu_millis) AS cpu, sum(memory_mib) AS mem FROM workers WHERE holds_resources
                    GROUP BY server_id) w ON w.server_id = s.id JOIN server_usage u ON u.server_id = s.id
                WHERE u.cpu_millis_used <> COALESCE(w.cpu, 0) OR u.memory_mib_used <> COALESCE(w.mem, 0)""",
                String.class)).isEmpty();
        assertThat(jdbc.queryForList("""
                SELECT a.idx FROM accelerator_usage a WHERE a.used_milli <> (
                    SELECT COALESCE(sum(w.milli_gpu), 0) FROM workers w
                    WHERE w.server_id = a.server_id AND w.holds_resources AND a.idx = ANY (w.gpu_indices))""",
                Integer.class)).isEmpty();
        // every GPU a holder names still exists
        assertThat(jdbc.queryForList("""
                SELECT w.id FROM workers w, unnest(w.gpu_indices) AS g(idx) WHERE w.holds_resources
                AND NOT EXISTS (SELECT 1 FROM accelerators a WHERE a.server_id = w.server_id AND a.idx = g.idx)""",
                String.class)).isEmpty();
    }

    private Response heartbeat(String workerId, String state) {
        return postJson("/api/v1/agents/" + SERVER + "/heartbeat", "{\"workers\":[{\"workerId\":\"" + workerId
                + "\",\"state\":\"" + state + "\",\"exitCode\":0}]}");
    }

    /** An edit of dgx-1 while job train holds GPUs p.gpus(), 48000 millicores, 131072 MiB and 1000 GiB. */
    record Edit(String name, Function<Placed, String> body, int status, Function<Placed, List<String>> problems) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Edit> edits() {
        return Stream.of(
                new Edit("removing a held GPU", p -> server(64000, 262144, 3840,
                        h100s(IntStream.range(0, 4).boxed().filter(i -> i != p.gpus().get(0)).toList())), 409,
                        p -> List.of("accelerator " + p.gpus().get(0) + " of dgx-1 is held by " + p.holder()
                                + " and cannot be removed")),
                new Edit("removing every GPU (4 -> 0, 2 held)", p -> server(64000, 262144, 3840, ""), 409,
                        p -> p.gpus().stream().map(g -> "accelerator " + g + " of dgx-1 is held by " + p.holder()
                                + " and cannot be removed").toList()),
                new Edit("a held GPU becoming an A100", p -> server(64000, 262144, 3840,
                        h100s(p.free()) + "," + gpu(p.gpus().get(0), "A100", 81920) + ","
                                + gpu(p.gpus().get(1), "H100", 81920)), 409,
                        p -> List.of("accelerator " + p.gpus().get(0) + " of dgx-1 is held by " + p.holder()
                                + " and cannot become a GPU A100 (it is a GPU H100)")),
                new Edit("a held GPU losing memory (81920 -> 40960 MiB)", p -> server(64000, 262144, 3840,
                        h100s(p.free()) + "," + gpu(p.gpus().get(0), "H100", 40960) + ","
                                + gpu(p.gpus().get(1), "H100", 81920)), 409,
                        p -> List.of("accelerator " + p.gpus().get(0) + " of dgx-1 is held by " + p.holder()
                                + " and cannot shrink from 81920 to 40960 MiB of memory")),
                // 32000 < 48000 held
                new Edit("CPU below what is held", p -> server(32000, 262144, 3840, h100s(List.of(0, 1, 2, 3))), 409,
                        p -> List.of("cpuMillis 32000 of dgx-1 is below the 48000 held by " + p.holder())),
                // 65536 < 131072 held
                new Edit("memory below what is held", p -> server(64000, 65536, 3840, h100s(List.of(0, 1, 2, 3))), 409,
                        p -> List.of("memoryMib 65536 of dgx-1 is below the 131072 held by " + p.holder())),
                // 500 GiB < 1000 GiB held
                new Edit("local storage below what is held", p -> server(64000, 262144, 500, h100s(List.of(0, 1, 2, 3))),
                        409, p -> List.of("local storage of dgx-1 (500 GiB) is below the 1000 GiB held by " + p.holder())),
                new Edit("CPU and memory below, and a held GPU removed: every refusal listed", p -> server(1000, 1024, 3840,
                        h100s(p.free()) + "," + gpu(p.gpus().get(1), "H100", 81920)), 409,
                        p -> List.of("cpuMillis 1000 of dgx-1 is below the 48000 held by " + p.holder(),
                                "memoryMib 1024 of dgx-1 is below the 131072 held by " + p.holder(),
                                "accelerator " + p.gpus().get(0) + " of dgx-1 is held by " + p.holder()
                                        + " and cannot be removed")),
                new Edit("removing the free GPUs (4 -> 2)", p -> server(64000, 262144, 3840, h100s(p.gpus())), 200,
                        p -> List.of()),
                // exactly the 48000 millicores, 131072 MiB and 1000 GiB held
                new Edit("shrinking to exactly what is held", p -> server(48000, 131072, 1000, h100s(List.of(0, 1, 2, 3))),
                        200, p -> List.of()),
                new Edit("adding GPUs, CPU and memory", p -> server(128000, 524288, 7680,
                        h100s(List.of(0, 1, 2, 3, 4, 5, 6, 7))), 200, p -> List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void editsOfAServerInUseKeepWhatIsHeld(Edit edit) {
        createServer();
        Placed placed = place("train", 2);
        String before = get("/api/v1/servers/" + SERVER).body();
        String usage = usage();

        Response r = put("/api/v1/servers/" + SERVER, edit.body().apply(placed));

        assertThat(r.status()).as(r.body()).isEqualTo(edit.status());
        assertThat(usage()).isEqualTo(usage); // never reset, whatever the answer
        assertCountersMatchHolders();
        if (edit.status() == 409) {
            assertThat((String) JsonPath.read(r.body(), "$.type")).isEqualTo("https://berth.dev/problems/resource-in-use");
            assertThat((List<String>) JsonPath.read(r.body(), "$.errors[*].message"))
                    .containsExactlyInAnyOrderElementsOf(edit.problems().apply(placed));
            assertThat((String) JsonPath.read(r.body(), "$.detail")).contains(placed.holder());
            assertThat(get("/api/v1/servers/" + SERVER).body()).isEqualTo(before);
        }
    }

    @Test
    void theFailureChainOfIssue10CannotHappen() {
        createServer();
        Placed first = place("train", 2);
        // shrink to one GPU under the holder: refused (it used to answer 200 and delete the held GPU rows)
        assertThat(put("/api/v1/servers/" + SERVER, server(64000, 262144, 3840, h100s(List.of(0)))).status())
                .isEqualTo(409);

        // the holder finishes: its share is released against counters that were never reset
        Response released = heartbeat(first.workerId(), "SUCCEEDED");
        assertThat(released.status()).as(released.body()).isEqualTo(200);
        assertThat(usage()).isEqualTo("cpu=0 mem=0 net=0 gpus={}");

        // now free: shrink, then re-add, then place and release again; heartbeats keep answering 200
        assertThat(put("/api/v1/servers/" + SERVER, server(64000, 262144, 3840, h100s(List.of(0)))).status()).isEqualTo(200);
        assertThat(put("/api/v1/servers/" + SERVER, server(64000, 262144, 3840, h100s(List.of(0, 1, 2, 3)))).status())
                .isEqualTo(200);
        assertThat(count("accelerators")).isEqualTo(4);
        assertThat(usage()).isEqualTo("cpu=0 mem=0 net=0 gpus={}");
        Placed second = place("train", 4);
        assertThat(usage()).isEqualTo("cpu=48000 mem=131072 net=0 gpus={0=1000, 1=1000, 2=1000, 3=1000}");
        assertCountersMatchHolders();
        Response again = heartbeat(second.workerId(), "SUCCEEDED");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(postJson("/api/v1/agents/" + SERVER + "/heartbeat", "{\"workers\":[]}").status()).isEqualTo(200);
        assertThat(usage()).isEqualTo("cpu=0 mem=0 net=0 gpus={}");
        assertCountersMatchHolders();
    }

    @Test
    void theDatabaseItselfRefusesRemovingOrShrinkingAHeldGpu() {
        createServer();
        Placed placed = place("train", 2);
        int held = placed.gpus().get(0);
        for (String sql : List.of(
                "DELETE FROM accelerators WHERE idx = ?",
                "UPDATE accelerators SET memory_mib = 1024 WHERE idx = ?",
                "UPDATE accelerators SET model = 'A100' WHERE idx = ?")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.update(sql, held))
                    .as(sql).isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
        }
        // a free GPU may go
        assertThat(jdbc.update("DELETE FROM accelerators WHERE idx = ?", placed.free().get(0))).isEqualTo(1);
        assertCountersMatchHolders();
    }

    /**
     * An import of dgx-1 (index 1 in the document, row 2 of the CSV) plus a new server, while train holds dgx-1's GPUs;
     * {@code fields} are the paths of the refused parts (a prefix each for the CSV, whose GPUs held vary).
     */
    record Import(String name, String contentType, Function<Placed, String> body, int status, List<String> fields) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Import> imports() {
        String fresh = "{\"name\":\"new-1\",\"cpuMillis\":1000,\"memoryMib\":1024}";
        return Stream.of(
                new Import("YAML/JSON document dropping dgx-1's GPUs", "application/json",
                        p -> "{\"servers\":[" + fresh + "," + server(64000, 262144, 3840, "") + "]}", 409,
                        List.of("servers[1].accelerators", "servers[1].accelerators")),
                new Import("YAML/JSON document shrinking dgx-1's CPU", "application/json",
                        p -> "{\"servers\":[" + fresh + "," + server(8000, 262144, 3840, h100s(List.of(0, 1, 2, 3)))
                                + "]}", 409, List.of("servers[1].cpuMillis")),
                // the node-list CSV describes no local storage: dgx-1 would lose the 1000 GiB held, and 3 of 4 GPUs
                new Import("node-list CSV with dgx-1 as 1 GPU", "text/csv",
                        p -> "sn,cpu_milli,memory_mib,gpu,model\nnew-1,1000,1024,0,T4\ndgx-1,64000,262144,1,H100\n",
                        409, List.of("rows[2].")),
                new Import("document without dgx-1: imports only upsert, dgx-1 is kept", "application/json",
                        p -> "{\"servers\":[" + fresh + "]}", 200, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("imports")
    void anImportThatWouldDropHeldResourcesWritesNothing(Import imp) {
        createServer();
        Placed placed = place("train", 2);
        String before = get("/api/v1/servers/" + SERVER).body();
        String usage = usage();

        Response r = post("/api/v1/inventory/import", imp.contentType(), imp.body().apply(placed));

        assertThat(r.status()).as(r.body()).isEqualTo(imp.status());
        assertThat(get("/api/v1/servers/" + SERVER).body()).isEqualTo(before);
        assertThat(usage()).isEqualTo(usage);
        assertCountersMatchHolders();
        if (imp.status() == 409) {
            assertThat(get("/api/v1/servers/new-1").status()).as("nothing half-written").isEqualTo(404);
            assertThat((String) JsonPath.read(r.body(), "$.detail")).contains(placed.holder());
            List<String> fields = JsonPath.read(r.body(), "$.errors[*].field");
            if (imp.contentType().equals("text/csv"))
                assertThat(fields).isNotEmpty().allMatch(f -> f.startsWith(imp.fields().get(0)));
            else assertThat(fields).containsExactlyInAnyOrderElementsOf(imp.fields());
        } else {
            assertThat(get("/api/v1/servers/new-1").status()).isEqualTo(200);
        }
    }

    @Test
    void deletingAServerOrItsRackOrZoneWhileHeldIsRefused() {
        assertThat(postJson("/api/v1/zones", "{\"name\":\"z1\"}").status()).isEqualTo(201);
        assertThat(postJson("/api/v1/racks", "{\"name\":\"r1\",\"zone\":\"z1\"}").status()).isEqualTo(201);
        assertThat(postJson("/api/v1/servers", server(64000, 262144, 3840, h100s(List.of(0, 1, 2, 3)))
                .replace("\"rack\":\"default\"", "\"rack\":\"r1\"")).status()).isEqualTo(201);
        markLive(SERVER);
        Placed placed = place("train", 2);

        Response server = delete("/api/v1/servers/" + SERVER);
        assertThat(server.status()).as(server.body()).isEqualTo(409);
        assertThat((String) JsonPath.read(server.body(), "$.detail")).contains("server dgx-1 is held by " + placed.holder());
        assertThat(delete("/api/v1/racks/r1").status()).isEqualTo(409);
        assertThat(delete("/api/v1/zones/z1").status()).isEqualTo(409);
        assertThat(get("/api/v1/servers/" + SERVER).status()).isEqualTo(200);
        assertCountersMatchHolders();
    }
}
