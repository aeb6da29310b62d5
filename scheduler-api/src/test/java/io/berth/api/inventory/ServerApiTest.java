package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class ServerApiTest extends ApiTestBase {
    private static final String H100_SERVER = """
            {"name":"gpu-1","rack":"default","cpuMillis":64000,"memoryMib":524288,"networkMbps":100000,
             "labels":{"pool":"training"},"idlePowerWatts":500,"peakPowerWatts":3000,
             "accelerators":[{"kind":"GPU","vendor":"NVIDIA","model":"H100","memoryMib":81920,"interconnectDomain":"nvl-0"},
                             {"kind":"GPU","vendor":"NVIDIA","model":"H100","memoryMib":81920,"interconnectDomain":"nvl-0"}],
             "localDevices":[{"name":"nvme0","medium":"NVME","capacityGib":3840,"readMbPerSec":7000,"writeMbPerSec":4000}]}
            """;

    @Test
    void createsReadsChangesStateAndDeletesAServer() {
        Response created = postJson("/api/v1/servers", H100_SERVER);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/servers/gpu-1");
        assertThat((List<Integer>) JsonPath.read(created.body(), "$.accelerators[*].index")).containsExactly(0, 1);
        assertThat((String) JsonPath.read(created.body(), "$.state")).isEqualTo("READY");

        Response read = get("/api/v1/servers/gpu-1");
        assertThat(read.status()).isEqualTo(200);
        assertThat((String) JsonPath.read(read.body(), "$.labels.pool")).isEqualTo("training");
        assertThat((Integer) JsonPath.read(get("/api/v1/servers/gpu-1/storage").body(), "$[0].capacityGib")).isEqualTo(3840);
        assertThat((List<String>) JsonPath.read(get("/api/v1/servers/gpu-1/accelerators").body(), "$[*].model"))
                .containsExactly("H100", "H100");

        Response cordoned = postJson("/api/v1/servers/gpu-1/cordon", "");
        assertThat((String) JsonPath.read(cordoned.body(), "$.state")).isEqualTo("CORDONED");
        assertThat((Integer) JsonPath.read(cordoned.body(), "$.version")).isEqualTo(1);
        Response down = put("/api/v1/servers/gpu-1/state", "{\"state\":\"DOWN\"}");
        assertThat((String) JsonPath.read(down.body(), "$.state")).isEqualTo("DOWN");
        assertThat((String) JsonPath.read(postJson("/api/v1/servers/gpu-1/ready", "").body(), "$.state")).isEqualTo("READY");

        assertThat(delete("/api/v1/servers/gpu-1").status()).isEqualTo(204);
        assertThat(get("/api/v1/servers/gpu-1").status()).isEqualTo(404);
        assertThat(count("accelerators") + count("local_devices")).isZero();
    }

    @Test
    void unknownNamesGive404ProblemDetails() {
        for (Response r : List.of(get("/api/v1/servers/nope"), delete("/api/v1/servers/nope"),
                postJson("/api/v1/servers/nope/drain", ""), get("/api/v1/racks/nope"), delete("/api/v1/zones/nope"))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat((String) JsonPath.read(r.body(), "$.type")).isEqualTo("https://berth.dev/problems/not-found");
        }
    }

    @Test
    void duplicateNameGives409() {
        assertThat(postJson("/api/v1/servers", H100_SERVER).status()).isEqualTo(201);
        Response again = postJson("/api/v1/servers", H100_SERVER);
        assertThat(again.status()).isEqualTo(409);
        assertThat(count("servers")).isEqualTo(1);
    }

    @Test
    void putReplacesTheServer() {
        postJson("/api/v1/servers", H100_SERVER);
        Response replaced = put("/api/v1/servers/gpu-1", H100_SERVER.replace("64000", "32000"));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat((Integer) JsonPath.read(replaced.body(), "$.cpuMillis")).isEqualTo(32000);
        assertThat(put("/api/v1/servers/other", H100_SERVER).status()).isEqualTo(400);
    }

    @Test
    void listFiltersByStateRackModelAndLabelAndPaginates() throws Exception {
        post("/api/v1/inventory/import", "application/yaml", Files.readString(Path.of("../examples/inventory.yaml")));
        postJson("/api/v1/servers/t4-r2-01/drain", "");

        assertThat(names("/api/v1/servers?acceleratorModel=H100")).containsExactly("dgx-r1-01", "dgx-r1-02");
        assertThat(names("/api/v1/servers?rack=r2")).containsExactly("a100-r2-01", "cpu-r2-01", "t4-r2-01");
        assertThat(names("/api/v1/servers?state=DRAINED")).containsExactly("t4-r2-01"); // idle: drained at once
        assertThat(names("/api/v1/servers?label=pool=training")).containsExactly("a100-r2-01", "dgx-r1-01", "dgx-r1-02");
        assertThat(names("/api/v1/servers?label=gpu-family")).containsExactly("a100-r2-01", "dgx-r1-01", "dgx-r1-02");
        assertThat(names("/api/v1/servers?rack=r2&label=pool=training")).containsExactly("a100-r2-01");

        Response page = get("/api/v1/servers?size=2&page=1");
        assertThat((List<String>) JsonPath.read(page.body(), "$.items[*].name")).containsExactly("dgx-r1-01", "dgx-r1-02");
        assertThat((Integer) JsonPath.read(page.body(), "$.total")).isEqualTo(5);
        assertThat((Integer) JsonPath.read(page.body(), "$.page")).isEqualTo(1);
    }

    @Test
    void topologyCollectionsCreateListAndDelete() {
        assertThat(postJson("/api/v1/zones", "{\"name\":\"z1\"}").status()).isEqualTo(201);
        assertThat(postJson("/api/v1/switches", "{\"name\":\"leaf-1\",\"tier\":\"LEAF\",\"zone\":\"z1\"}").status()).isEqualTo(201);
        assertThat(postJson("/api/v1/racks", "{\"name\":\"r1\",\"zone\":\"z1\",\"leafSwitch\":\"leaf-1\"}").status()).isEqualTo(201);
        assertThat(postJson("/api/v1/servers", H100_SERVER.replace("\"rack\":\"default\"", "\"rack\":\"r1\"")).status()).isEqualTo(201);
        Response link = postJson("/api/v1/links", "{\"endpointA\":\"leaf-1\",\"endpointB\":\"gpu-1\",\"bandwidthMbps\":100000,\"latencyMicros\":2}");
        assertThat(link.status()).isEqualTo(201);
        // stored with endpoints in sorted order, so the reverse direction is the same link
        assertThat((String) JsonPath.read(link.body(), "$.endpointA")).isEqualTo("gpu-1");
        assertThat(postJson("/api/v1/links", "{\"endpointA\":\"gpu-1\",\"endpointB\":\"leaf-1\",\"bandwidthMbps\":1,\"latencyMicros\":1}").status())
                .isEqualTo(409);
        assertThat(postJson("/api/v1/volumes", "{\"name\":\"nas\",\"kind\":\"NAS\",\"capacityGib\":100,\"bandwidthMbPerSec\":500,\"racks\":[\"r1\"]}").status())
                .isEqualTo(201);
        assertThat((List<String>) JsonPath.read(get("/api/v1/volumes/nas").body(), "$.racks")).containsExactly("r1");

        // a rack that still holds servers cannot go
        assertThat(delete("/api/v1/racks/r1").status()).isEqualTo(409);
        assertThat(delete("/api/v1/servers/gpu-1").status()).isEqualTo(204);
        assertThat(count("network_links")).isZero();
        assertThat(delete("/api/v1/volumes/nas").status()).isEqualTo(204);
        assertThat(delete("/api/v1/racks/r1").status()).isEqualTo(204);
        assertThat(delete("/api/v1/switches/leaf-1").status()).isEqualTo(204);
        assertThat(delete("/api/v1/zones/z1").status()).isEqualTo(204);
    }

    @Test
    void concurrentCreationsOfOneNameGiveOne201AndOne409() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String body = H100_SERVER.replace("gpu-1", "race-" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return postJson("/api/v1/servers", body).status();
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : results) statuses.add(f.get());
                assertThat(statuses).as("round " + round).containsExactlyInAnyOrder(201, 409);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("servers")).isEqualTo(20);
        assertThat(count("accelerators")).isEqualTo(40);
    }

    private List<String> names(String path) {
        Response r = get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return JsonPath.read(r.body(), "$.items[*].name");
    }
}
