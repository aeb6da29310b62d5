package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InventoryImportTest extends ApiTestBase {
    private static final Path EXAMPLE = Path.of("../examples/inventory.yaml");

    @Test
    void importsTheAlibabaNodeListAndReimportsIdempotently() throws IOException {
        String csv = new String(getClass().getResourceAsStream("/fixtures/openb_node_list_gpu_node.csv").readAllBytes());

        Response first = post("/api/v1/inventory/import", "text/csv", csv);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat((Integer) JsonPath.read(first.body(), "$.serversCreated")).isEqualTo(1213);
        assertThat(count("servers")).isEqualTo(1213);
        assertThat(count("accelerators")).isEqualTo(6212);

        // openb-node-0228 in the GPU node list: 96000,393216,8,G2
        Response node = get("/api/v1/servers/openb-node-0228");
        assertThat(node.status()).isEqualTo(200);
        assertThat((List<String>) JsonPath.read(node.body(), "$.accelerators[*].model"))
                .containsExactly("G2", "G2", "G2", "G2", "G2", "G2", "G2", "G2");
        assertThat((Integer) JsonPath.read(node.body(), "$.cpuMillis")).isEqualTo(96000);
        assertThat((Integer) JsonPath.read(node.body(), "$.version")).isZero();

        Response second = post("/api/v1/inventory/import", "text/csv", csv);
        assertThat(second.status()).isEqualTo(200);
        assertThat((Integer) JsonPath.read(second.body(), "$.serversCreated")).isZero();
        assertThat((Integer) JsonPath.read(second.body(), "$.serversUnchanged")).isEqualTo(1213);
        assertThat(count("servers")).isEqualTo(1213);
        assertThat(count("accelerators")).isEqualTo(6212);
        assertThat((Integer) JsonPath.read(get("/api/v1/servers/openb-node-0228").body(), "$.version")).isZero();
    }

    @Test
    void importsTheExampleYamlAndExportRoundTripsWithoutDuplicates() throws IOException {
        String yaml = Files.readString(EXAMPLE);
        Response imported = post("/api/v1/inventory/import", "application/yaml", yaml);
        assertThat(imported.status()).as(imported.body()).isEqualTo(200);
        assertThat((Integer) JsonPath.read(imported.body(), "$.serversCreated")).isEqualTo(5);
        assertThat((Integer) JsonPath.read(imported.body(), "$.linksCreated")).isEqualTo(7);

        Response exportJson = get("/api/v1/inventory/export");
        assertThat(exportJson.status()).isEqualTo(200);
        Response exportYaml = send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/inventory/export"))
                .header("Accept", "application/yaml").GET());
        assertThat(exportYaml.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/yaml");

        long servers = count("servers");
        long links = count("network_links");
        long accelerators = count("accelerators");
        for (Response again : List.of(post("/api/v1/inventory/import", "application/json", exportJson.body()),
                post("/api/v1/inventory/import", "application/yaml", exportYaml.body()),
                post("/api/v1/inventory/import", "application/yaml", yaml))) {
            assertThat(again.status()).as(again.body()).isEqualTo(200);
            assertThat((Integer) JsonPath.read(again.body(), "$.serversCreated")).isZero();
            assertThat((Integer) JsonPath.read(again.body(), "$.serversUpdated")).isZero();
            assertThat((Integer) JsonPath.read(again.body(), "$.linksCreated")).isZero();
        }
        assertThat(count("servers")).isEqualTo(servers);
        assertThat(count("network_links")).isEqualTo(links);
        assertThat(count("accelerators")).isEqualTo(accelerators);
        assertThat(get("/api/v1/inventory/export").body()).isEqualTo(exportJson.body());
    }

    @Test
    void aBadRowRejectsTheWholeImportAndStoresNothing() throws IOException {
        String csv = new String(getClass().getResourceAsStream("/fixtures/openb_node_list_gpu_node.csv").readAllBytes());
        String broken = csv.replace("openb-node-1000,", "openb-node-1000,-").trim() + "\n";

        Response r = post("/api/v1/inventory/import", "text/csv", broken);

        assertThat(r.status()).isEqualTo(400);
        assertThat((List<String>) JsonPath.read(r.body(), "$.errors[*].field")).containsExactly("rows[1001].cpu_milli");
        assertThat(count("servers")).isZero();
        assertThat(count("accelerators")).isZero();
    }

    @Test
    void aBadReferenceLateInADocumentRollsBackEverythingBeforeIt() throws IOException {
        String yaml = Files.readString(EXAMPLE).replace("endpointA: cpu-r2-01", "endpointA: ghost-server");

        Response r = post("/api/v1/inventory/import", "application/yaml", yaml);

        assertThat(r.status()).isEqualTo(400);
        assertThat((List<String>) JsonPath.read(r.body(), "$.errors[*].field")).containsExactly("links[6].endpointA");
        assertThat(count("servers") + count("switches") + count("network_links") + count("shared_volumes")).isZero();
        assertThat(count("zones")).isEqualTo(1);
    }

    @Test
    void topologyGraphShowsContainmentAndLinks() throws IOException {
        post("/api/v1/inventory/import", "application/yaml", Files.readString(EXAMPLE));

        Response r = get("/api/v1/topology");

        assertThat(r.status()).isEqualTo(200);
        assertThat((List<String>) JsonPath.read(r.body(), "$.nodes[?(@.kind == 'server')].id"))
                .containsExactlyInAnyOrder("dgx-r1-01", "dgx-r1-02", "a100-r2-01", "t4-r2-01", "cpu-r2-01");
        assertThat((List<Integer>) JsonPath.read(r.body(), "$.edges[?(@.from == 'dgx-r1-01' && @.kind == 'link')].bandwidthMbps"))
                .containsExactly(200000);
        assertThat((List<String>) JsonPath.read(r.body(), "$.edges[?(@.from == 'r1' && @.kind == 'uplink')].to"))
                .containsExactly("leaf-r1");
    }
}
