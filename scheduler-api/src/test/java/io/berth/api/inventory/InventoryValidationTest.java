package io.berth.api.inventory;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every validation rule of the inventory API, one row each: the request, the status and the field the problem
 * details must name. After every rejected request nothing may have been stored.
 */
class InventoryValidationTest extends ApiTestBase {
    private static final String JSON = "application/json";
    private static final String YAML = "application/yaml";
    private static final String CSV = "text/csv";
    private static final String GOOD_GPU = "{\"index\":0,\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}";

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                // servers: Bean Validation
                row("negative cpu", "/api/v1/servers", JSON, server("\"cpuMillis\":-1,\"memoryMib\":1"), 400, "cpuMillis"),
                row("negative memory", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":-1"), 400, "memoryMib"),
                row("missing cpu", "/api/v1/servers", JSON, server("\"memoryMib\":1"), 400, "cpuMillis"),
                row("missing memory", "/api/v1/servers", JSON, server("\"cpuMillis\":1"), 400, "memoryMib"),
                row("missing name", "/api/v1/servers", JSON, "{\"cpuMillis\":1,\"memoryMib\":1}", 400, "name"),
                row("bad name", "/api/v1/servers", JSON, "{\"name\":\"no spaces\",\"cpuMillis\":1,\"memoryMib\":1}", 400, "name"),
                row("negative network", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"networkMbps\":-5"), 400, "networkMbps"),
                row("negative idle power", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"idlePowerWatts\":-1"), 400, "idlePowerWatts"),
                row("peak below idle", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"idlePowerWatts\":300,\"peakPowerWatts\":200"), 400, "peakPowerWatts"),
                row("gpu negative memory", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"accelerators\":[{\"kind\":\"GPU\",\"model\":\"A\",\"memoryMib\":-1}]"), 400, "accelerators[0].memoryMib"),
                row("gpu missing model", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"accelerators\":[{\"kind\":\"GPU\",\"memoryMib\":1}]"), 400, "accelerators[0].model"),
                row("gpu bad kind", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"accelerators\":[{\"kind\":\"FPGA\",\"model\":\"A\",\"memoryMib\":1}]"), 400, "accelerators[0].kind"),
                row("gpu duplicate index", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"accelerators\":[" + GOOD_GPU + "," + GOOD_GPU + "]"), 400, "accelerators[1].index"),
                row("device negative capacity", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"localDevices\":[{\"name\":\"nvme0\",\"medium\":\"NVME\",\"capacityGib\":-1,\"readMbPerSec\":1,\"writeMbPerSec\":1}]"), 400, "localDevices[0].capacityGib"),
                row("unknown rack", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"rack\":\"r-missing\""), 400, "rack"),
                row("unknown field", "/api/v1/servers", JSON, server("\"cpuMillis\":1,\"memoryMib\":1,\"cpuMilis\":3"), 400, "cpuMilis"),
                row("string for number", "/api/v1/servers", JSON, server("\"cpuMillis\":\"many\",\"memoryMib\":1"), 400, "cpuMillis"),
                row("malformed json", "/api/v1/servers", JSON, "{\"name\": \"s1\", ", 400, "body"),
                row("empty body", "/api/v1/servers", JSON, "", 400, "body"),
                row("wrong media type", "/api/v1/servers", "text/plain", "hello", 415, null),
                // topology collections
                row("rack unknown zone", "/api/v1/racks", JSON, "{\"name\":\"r1\",\"zone\":\"z-missing\"}", 400, "zone"),
                row("rack unknown switch", "/api/v1/racks", JSON, "{\"name\":\"r1\",\"zone\":\"default\",\"leafSwitch\":\"leaf-x\"}", 400, "leafSwitch"),
                row("rack missing zone", "/api/v1/racks", JSON, "{\"name\":\"r1\"}", 400, "zone"),
                row("switch bad tier", "/api/v1/switches", JSON, "{\"name\":\"sw1\",\"tier\":\"CORE\"}", 400, "tier"),
                row("link unknown endpoint", "/api/v1/links", JSON, "{\"endpointA\":\"a\",\"endpointB\":\"b\",\"bandwidthMbps\":1,\"latencyMicros\":1}", 400, "endpointA"),
                row("link negative bandwidth", "/api/v1/links", JSON, "{\"endpointA\":\"a\",\"endpointB\":\"b\",\"bandwidthMbps\":-1,\"latencyMicros\":1}", 400, "bandwidthMbps"),
                row("volume unknown rack", "/api/v1/volumes", JSON, "{\"name\":\"nas1\",\"kind\":\"NAS\",\"capacityGib\":1,\"bandwidthMbPerSec\":1,\"racks\":[\"r-missing\"]}", 400, "racks[0]"),
                row("volume negative capacity", "/api/v1/volumes", JSON, "{\"name\":\"nas1\",\"kind\":\"NAS\",\"capacityGib\":-1,\"bandwidthMbPerSec\":1}", 400, "capacityGib"),
                // import: documents
                row("import json bad server", "/api/v1/inventory/import", JSON, "{\"servers\":[" + server("\"cpuMillis\":1,\"memoryMib\":1") + "," + server("\"cpuMillis\":-1,\"memoryMib\":1").replace("s1", "s2") + "]}", 400, "servers[1].cpuMillis"),
                row("import duplicate names", "/api/v1/inventory/import", JSON, "{\"servers\":[" + server("\"cpuMillis\":1,\"memoryMib\":1") + "," + server("\"cpuMillis\":1,\"memoryMib\":1") + "]}", 400, "servers[1].name"),
                row("import unknown rack", "/api/v1/inventory/import", JSON, "{\"servers\":[" + server("\"cpuMillis\":1,\"memoryMib\":1,\"rack\":\"r9\"") + "]}", 400, "servers[0].rack"),
                row("import malformed json", "/api/v1/inventory/import", JSON, "{\"servers\":[", 400, "body"),
                row("import malformed yaml", "/api/v1/inventory/import", YAML, "servers:\n  - name: s1\n   cpuMillis: [", 400, "body"),
                row("import yaml bad value", "/api/v1/inventory/import", YAML, "servers:\n  - name: s1\n    cpuMillis: -4\n    memoryMib: 1\n", 400, "servers[0].cpuMillis"),
                row("import yaml unknown field", "/api/v1/inventory/import", YAML, "servers:\n  - name: s1\n    cpu: 4\n", 400, "servers[0].cpu"),
                row("import unsupported type", "/api/v1/inventory/import", "application/xml", "<x/>", 415, null),
                // import: CSV
                row("csv missing column", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu\nn1,1,1,0\n", 400, "header"),
                row("csv negative cpu", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\nn1,1,1,0,\nn2,-1,1,0,\n", 400, "rows[2].cpu_milli"),
                row("csv bad memory", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\nn1,1,lots,0,\n", 400, "rows[1].memory_mib"),
                row("csv gpu without model", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\nn1,1,1,2,\n", 400, "rows[1].model"),
                row("csv too many gpus", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\nn1,1,1,100,A\n", 400, "rows[1].gpu"),
                row("csv duplicate sn", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\nn1,1,1,0,\nn1,1,1,0,\n", 400, "rows[2].sn"),
                row("csv short row", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\nn1,1,1\n", 400, "rows[1]"),
                row("csv empty", "/api/v1/inventory/import", CSV, "", 400, "body"),
                row("csv header only", "/api/v1/inventory/import", CSV, "sn,cpu_milli,memory_mib,gpu,model\n", 400, "rows"),
                // size limit (tests run with berth.api.max-body-bytes=1 MiB)
                row("oversize body", "/api/v1/inventory/import", JSON, "{\"servers\":[], \"pad\":\"" + "x".repeat(1_100_000) + "\"}", 413, null),
                // query parameters
                row("page size zero", "/api/v1/servers?size=0", null, null, 400, "size"),
                row("bad state filter", "/api/v1/servers?state=SLEEPING", null, null, 400, "state"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void rejectsWithProblemDetailsAndStoresNothing(String name, String path, String contentType, String body,
                                                   int status, String field) {
        Response r = body == null ? get(path) : post(path, contentType, body);

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat((Integer) JsonPath.read(r.body(), "$.status")).isEqualTo(status);
        assertThat((String) JsonPath.read(r.body(), "$.type")).startsWith("https://berth.dev/problems/");
        if (field != null) {
            List<String> fields = JsonPath.read(r.body(), "$.errors[*].field");
            assertThat(fields).as(r.body()).contains(field);
        }
        assertThat(count("servers")).isZero();
        assertThat(count("racks")).isEqualTo(1);
        assertThat(count("switches") + count("network_links") + count("shared_volumes")).isZero();
    }

    private static Arguments row(String name, String path, String contentType, String body, int status, String field) {
        return arguments(name, path, contentType, body, status, field);
    }

    private static String server(String fields) {
        return "{\"name\":\"s1\"," + fields + "}";
    }
}
