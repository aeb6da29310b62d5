package io.berth.api.web;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Hostile and sloppy input gets a 4xx problem naming the reason, never a 5xx, and stores nothing (issue #10): content
 * types, paths, NUL characters, unbounded error lists, lenient parsing.
 */
class HostileInputTest extends ApiTestBase {
    static final String JSON = "application/json";
    static final String YAML = "application/yaml";
    static final String SERVER = "{\"name\":\"s1\",\"cpuMillis\":1000,\"memoryMib\":1024}";
    static final String JOB = "{\"name\":\"j\",\"tenant\":\"team-a\",\"taskGroups\":[{\"name\":\"t\",\"replicas\":1,\"cpuMillis\":100,"
            + "\"memoryMib\":64}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";
    static final String WILDCARD_DETAIL = "content type '%s' is not supported; name a concrete type such as "
            + "application/json or application/yaml";
    static final String NO_TYPE_DETAIL = "a request body needs a Content-Type, such as application/json or application/yaml";
    static final String BAD_PATH = "{\"type\":\"https://berth.dev/problems/invalid-request\",\"title\":\"Bad Request\","
            + "\"status\":400,\"detail\":\"the request path or a header is malformed or not allowed\"}";

    // ---- content types -------------------------------------------------------------------------------------------

    static Stream<Arguments> contentTypes() {
        return Stream.of(
                arguments("*/* on servers", "POST", "/api/v1/servers", "*/*", SERVER, String.format(WILDCARD_DETAIL, "*/*")),
                arguments("application/* on servers", "POST", "/api/v1/servers", "application/*", SERVER,
                        String.format(WILDCARD_DETAIL, "application/*")),
                arguments("*/* on jobs", "POST", "/api/v1/jobs", "*/*", JOB, String.format(WILDCARD_DETAIL, "*/*")),
                arguments("text/* on jobs", "POST", "/api/v1/jobs", "text/*", JOB, String.format(WILDCARD_DETAIL, "text/*")),
                arguments("*/* on batch", "POST", "/api/v1/jobs/batch", "*/*", "{\"jobs\":[" + JOB + "]}",
                        String.format(WILDCARD_DETAIL, "*/*")),
                arguments("text/* on import", "POST", "/api/v1/inventory/import", "text/*", "sn,cpu_milli\n",
                        String.format(WILDCARD_DETAIL, "text/*")),
                arguments("application/* on quotas", "PUT", "/api/v1/quotas/t", "application/*", "{\"gpuMilli\":1}",
                        String.format(WILDCARD_DETAIL, "application/*")),
                arguments("*/* on tokens", "POST", "/api/v1/tokens", "*/*", "{\"name\":\"x\",\"role\":\"ADMIN\"}",
                        String.format(WILDCARD_DETAIL, "*/*")),
                arguments("malformed type", "POST", "/api/v1/servers", "json please", SERVER,
                        String.format(WILDCARD_DETAIL, "json please")),
                arguments("YAML job without a type", "POST", "/api/v1/jobs", null, "name: j\ntenant: team-a\n", NO_TYPE_DETAIL),
                arguments("YAML server without a type", "POST", "/api/v1/servers", null, "name: s1\n", NO_TYPE_DETAIL),
                arguments("YAML import without a type", "POST", "/api/v1/inventory/import", null, "servers: []\n", NO_TYPE_DETAIL),
                arguments("YAML quota without a type", "PUT", "/api/v1/quotas/t", null, "gpuMilli: 1\n", NO_TYPE_DETAIL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contentTypes")
    void wildcardMalformedOrMissingContentTypeIs415(String name, String method, String path, String contentType,
                                                    String body, String detail) {
        Map<String, Long> before = rows();
        Response r = raw(method + " " + path + " HTTP/1.1" + (contentType == null ? "" : "\r\nContent-Type: " + contentType),
                body.getBytes(StandardCharsets.UTF_8));
        assertProblem(r, 415, "unsupported-media-type");
        assertThat(JsonPath.<String>read(r.body(), "$.detail")).isEqualTo(detail);
        assertThat(rows()).isEqualTo(before);
    }

    // ---- paths ---------------------------------------------------------------------------------------------------

    static Stream<Arguments> paths() {
        return Stream.of(
                arguments("dot-dot segment", "GET /api/v1/servers/../tokens"),
                arguments("encoded dot-dot", "GET /api/v1/servers/%2e%2e/tokens"),
                arguments("semicolon", "GET /api/v1/servers;jsessionid=1"),
                arguments("encoded CR LF", "GET /api/v1/servers/a%0d%0aSet-Cookie:x=1"),
                arguments("encoded slash", "DELETE /api/v1/servers/a%2Fb"),
                arguments("encoded NUL", "GET /api/v1/servers/a%00b"),
                arguments("encoded NUL on a mutating call", "PUT /api/v1/quotas/a%00"),
                arguments("encoded backslash", "GET /api/v1/%5Cservers"),
                arguments("broken escape", "GET /api/v1/servers/%ZZ"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void hostilePathsAre400ProblemsEvenForAnAdmin(String name, String requestLine) {
        Response r = raw(requestLine + " HTTP/1.1", null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(r.body()).isEqualTo(BAD_PATH);
    }

    @Test
    void nulInAQueryParameterIs400NamingIt() {
        Response r = raw("GET /api/v1/jobs?state=QUEUED&tenant=a%00b HTTP/1.1", null);
        assertProblem(r, 400, "invalid-request");
        assertThat(JsonPath.<List<Map<String, String>>>read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", "tenant", "message", "must not contain NUL (U+0000) characters"));
    }

    // ---- NUL characters in bodies --------------------------------------------------------------------------------

    static Stream<Arguments> nulBodies() {
        return Stream.of(
                arguments("server name", "/api/v1/servers", JSON, "{\"name\":\"s\\u0000\",\"cpuMillis\":1,\"memoryMib\":1}", "name"),
                arguments("server label value", "/api/v1/servers", JSON,
                        "{\"name\":\"s1\",\"cpuMillis\":1,\"memoryMib\":1,\"labels\":{\"k\":\"v\\u0000\"}}", "labels.k"),
                arguments("server as YAML", "/api/v1/servers", YAML, "name: \"s\\0\"\ncpuMillis: 1\nmemoryMib: 1\n", "name"),
                arguments("job name", "/api/v1/jobs", JSON, JOB.replace("\"j\"", "\"j\\u0000\""), "name"),
                arguments("job argv", "/api/v1/jobs", JSON, JOB.replace("\"true\"", "\"tr\\u0000ue\""), "runtime.process.argv[0]"),
                arguments("batch job tenant", "/api/v1/jobs/batch", JSON,
                        "{\"jobs\":[" + JOB + "," + JOB.replace("team-a", "team\\u0000") + "]}", "jobs[1].tenant"),
                arguments("token name", "/api/v1/tokens", JSON, "{\"name\":\"x\\u0000\",\"role\":\"ADMIN\"}", "name"),
                arguments("imported rack", "/api/v1/inventory/import", JSON,
                        "{\"racks\":[{\"name\":\"r\\u0000\",\"zone\":\"default\"}]}", "racks[0].name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nulBodies")
    void nulCharactersAre400NamingTheField(String name, String path, String contentType, String body, String field) {
        Map<String, Long> before = rows();
        Response r = post(path, contentType, body);
        assertProblem(r, 400, "invalid-request");
        assertThat(JsonPath.<List<Map<String, String>>>read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", field, "message", "must not contain NUL (U+0000) characters"));
        assertThat(rows()).isEqualTo(before);
    }

    // ---- bounded error lists -------------------------------------------------------------------------------------

    @Test
    void anOversizedBatchIsRefusedByItsSizeBeforeAnyJobIsValidated() {
        // 200,000 empty jobs: 600 KB, under the test body limit of 1 MiB
        String body = "{\"jobs\":[" + "{},".repeat(199_999) + "{}]}";
        Response r = post("/api/v1/jobs/batch", JSON, body);
        assertProblem(r, 400, "invalid-request");
        assertThat(JsonPath.<List<Map<String, String>>>read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", "jobs", "message", "at most 1000 jobs per batch, got 200000"));
        assertThat(JsonPath.<Integer>read(r.body(), "$.errorCount")).isEqualTo(1);
        assertThat(r.body().length()).isLessThan(1_000);
    }

    @Test
    void atMost100ErrorsAreListedWithTheirTotalCount() {
        // 1,000 empty jobs: each lacks name, tenant, taskGroups and runtime
        String batch = "{\"jobs\":[" + "{},".repeat(999) + "{}]}";
        Response r = post("/api/v1/jobs/batch", JSON, batch);
        assertProblem(r, 400, "invalid-request");
        int total = JsonPath.<Integer>read(r.body(), "$.errorCount");
        assertThat(JsonPath.<List<Object>>read(r.body(), "$.errors")).hasSize(ApiException.MAX_LISTED_ERRORS);
        assertThat(total).isEqualTo(4_000);
        assertThat(JsonPath.<String>read(r.body(), "$.detail")).isEqualTo("4000 invalid fields");

        // an import of 3,000 servers with a negative cpuMillis each
        StringBuilder servers = new StringBuilder("{\"servers\":[");
        for (int i = 0; i < 3_000; i++) {
            if (i > 0) servers.append(',');
            servers.append("{\"name\":\"s").append(i).append("\",\"cpuMillis\":-1,\"memoryMib\":1}");
        }
        Response imported = post("/api/v1/inventory/import", JSON, servers.append("]}").toString());
        assertProblem(imported, 400, "invalid-request");
        assertThat(JsonPath.<Integer>read(imported.body(), "$.errorCount")).isEqualTo(3_000);
        assertThat(JsonPath.<List<Map<String, String>>>read(imported.body(), "$.errors")).hasSize(100)
                .first().isEqualTo(Map.of("field", "servers[0].cpuMillis", "message", "must be greater than or equal to 0"));
        assertThat(imported.body().length()).isLessThan(20_000);
        assertThat(count("servers")).isZero();
    }

    // ---- strict parsing ------------------------------------------------------------------------------------------

    static Stream<Arguments> sloppyQuotas() {
        return Stream.of(
                arguments("typo in a YAML field", YAML, "gpuMili: 5\n", "gpuMili", "unknown field 'gpuMili'"),
                arguments("empty string for a number", JSON, "{\"gpuMilli\":\"\"}", "gpuMilli", "invalid value '', expected an integer"),
                arguments("fraction", JSON, "{\"gpuMilli\":999.9}", "gpuMilli", "invalid value '999.9', expected an integer"),
                arguments("fraction in YAML", YAML, "cpuMillis: 999.9\n", "cpuMillis", "invalid value '999.9', expected an integer"),
                arguments("number as a string", JSON, "{\"gpuMilli\":\"7\"}", "gpuMilli", "invalid value, expected an integer"),
                arguments("number as a YAML string", YAML, "gpuMilli: \"7\"\n", "gpuMilli", "invalid value, expected an integer"),
                arguments("boolean for a number", JSON, "{\"gpuMilli\":true}", "gpuMilli", "invalid value, expected an integer"),
                arguments("duplicate JSON key", JSON, "{\"gpuMilli\":1,\"gpuMilli\":2}", "gpuMilli",
                        "duplicate key at line 1, column 25"),
                arguments("duplicate YAML key", YAML, "gpuMilli: 1\ngpuMilli: 2\n", "gpuMilli", "duplicate key at line 2, column 9"),
                arguments("trailing content", JSON, "{\"gpuMilli\":1} {}", "body", "unexpected content after the document at line 1, column 16"),
                arguments("negative", JSON, "{\"gpuMilli\":-1}", "gpuMilli", "must be greater than or equal to 0"),
                arguments("no limit at all", JSON, "{}", "body", "give gpuMilli, cpuMillis or both; to remove the quota, DELETE it"),
                arguments("only nulls", JSON, "{\"gpuMilli\":null,\"cpuMillis\":null}", "body",
                        "give gpuMilli, cpuMillis or both; to remove the quota, DELETE it"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sloppyQuotas")
    void sloppyQuotaDocumentsAreRefusedAndKeepTheQuota(String name, String contentType, String body, String field,
                                                        String message) {
        assertThat(put("/api/v1/quotas/t", "{\"gpuMilli\":5000,\"cpuMillis\":8000}").status()).isEqualTo(200);
        Response r = send(HttpRequest.newBuilder(uri("/api/v1/quotas/t")).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
        assertProblem(r, 400, "invalid-request");
        assertThat(JsonPath.<List<Map<String, String>>>read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", field, "message", message));
        assertThat(get("/api/v1/quotas/t").body()).isEqualTo("{\"tenant\":\"t\",\"gpuMilli\":5000,\"cpuMillis\":8000}");
    }

    static Stream<Arguments> unknownYamlFields() {
        return Stream.of(
                arguments("server", "/api/v1/servers", "name: s1\ncpuMillis: 1\nmemoryMib: 1\ncpuMilis: 3\n", "cpuMilis"),
                arguments("token", "/api/v1/tokens", "name: x\nrole: OPERATOR\nexpires: never\n", "expires"),
                arguments("agent registration", "/api/v1/agents/register",
                        "name: s1\ncpuMillis: 1\nmemoryMib: 1\nnetworkMbps: 0\ngpuCount: 8\n", "gpuCount"),
                arguments("job", "/api/v1/jobs", "name: j\ntenant: team-a\npriority: 1\nprio: 2\n", "prio"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownYamlFields")
    void unknownYamlFieldsAreRefusedEverywhere(String name, String path, String body, String field) {
        Map<String, Long> before = rows();
        Response r = post(path, YAML, body);
        assertProblem(r, 400, "invalid-request");
        assertThat(JsonPath.<List<Map<String, String>>>read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", field, "message", "unknown field '" + field + "'"));
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void aFractionForAnIntegerIsRefusedEvenWhenWhole() {
        Response r = post("/api/v1/servers", JSON, "{\"name\":\"s1\",\"cpuMillis\":1000.0,\"memoryMib\":1}");
        assertProblem(r, 400, "invalid-request");
        assertThat(JsonPath.<List<Map<String, String>>>read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", "cpuMillis", "message", "invalid value '1000.0', expected an integer"));
        assertThat(count("servers")).isZero();
    }

    @Autowired
    DocumentReader documents;

    @Test
    void theShippedExamplesStillPassTheStrictReader() throws java.io.IOException {
        java.nio.file.Path examples = java.nio.file.Path.of("../examples");
        try (var jobs = java.nio.file.Files.list(examples.resolve("jobs"))) {
            for (java.nio.file.Path job : jobs.toList()) {
                assertThat(documents.read(java.nio.file.Files.readAllBytes(job), DocumentReader.YAML,
                        io.berth.core.spec.JobSpec.class)).as(job.toString()).isNotNull();
            }
        }
        assertThat(documents.read(java.nio.file.Files.readAllBytes(examples.resolve("inventory.yaml")), DocumentReader.YAML,
                io.berth.api.inventory.InventoryDocument.class)).isNotNull();
    }

    // ---- quotas: one set of names, explicit removal -------------------------------------------------------------

    @Test
    void quotasAreReadAndWrittenUnderTheSameNamesAndRemovedOnlyByDelete() {
        Response set = put("/api/v1/quotas/team-q", "{\"gpuMilli\":2000}");
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.body()).isEqualTo("{\"tenant\":\"team-q\",\"gpuMilli\":2000,\"cpuMillis\":null}");
        assertThat(get("/api/v1/quotas/team-q").body()).isEqualTo(set.body());
        assertThat(get("/api/v1/quotas").body()).isEqualTo("[" + set.body() + "]");

        assertThat(delete("/api/v1/quotas/team-q").status()).isEqualTo(204);
        Response gone = get("/api/v1/quotas/team-q");
        assertProblem(gone, 404, "not-found");
        assertThat(JsonPath.<String>read(gone.body(), "$.detail")).isEqualTo("quota of tenant 'team-q' not found");
        assertProblem(delete("/api/v1/quotas/team-q"), 404, "not-found");
        assertThat(count("tenant_quotas")).isZero();
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static void assertProblem(Response r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(JsonPath.<String>read(r.body(), "$.type")).isEqualTo("https://berth.dev/problems/" + type);
        assertThat(JsonPath.<Integer>read(r.body(), "$.status")).isEqualTo(status);
        assertThat(JsonPath.<String>read(r.body(), "$.title")).isNotBlank();
    }

    /** Rows of every table a refused request could have written to (not the audit log, which records refusals). */
    Map<String, Long> rows() {
        Map<String, Long> rows = new java.util.TreeMap<>();
        for (String table : List.of("servers", "accelerators", "local_devices", "racks", "zones", "switches",
                "network_links", "shared_volumes", "jobs", "job_events", "api_tokens", "tenant_quotas")) {
            rows.put(table, count(table));
        }
        return rows;
    }
}
