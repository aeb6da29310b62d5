package io.berth.api.auth;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The authorization matrix: every endpoint against every role (admin, operator, a user of tenant "a", the agent of
 * server s1, no token). Every call that writes starts from the same state: servers s1 and s2, a job of tenant a and one
 * of b. The reads change nothing, so they share one such state.
 */
class AuthorizationTest extends ApiTestBase {
    private static final String[] CALLERS = {"admin", "operator", "user-a", "agent-s1", "anonymous"};
    private Map<String, String> tokenOf;
    private String jobA;
    private String jobB;

    @BeforeEach
    void world() {
        for (String s : List.of("s1", "s2")) {
            assertThat(postJson("/api/v1/servers", "{\"name\":\"" + s + "\",\"cpuMillis\":64000,\"memoryMib\":65536}").status())
                    .isEqualTo(201);
        }
        jobA = JsonPath.read(postJson("/api/v1/jobs", job("a")).body(), "$.id");
        jobB = JsonPath.read(postJson("/api/v1/jobs", job("b")).body(), "$.id");
        tokenOf = new java.util.HashMap<>();
        tokenOf.put("admin", token);
        tokenOf.put("operator", tokens.issue("op", Role.OPERATOR, null, null).token());
        tokenOf.put("user-a", tokens.issue("alice", Role.USER, "a", null).token());
        tokenOf.put("agent-s1", tokens.issue("agent", Role.AGENT, null, "s1").token());
        tokenOf.put("anonymous", null);
    }

    private static String job(String tenant) {
        return "{\"name\":\"j\",\"tenant\":\"" + tenant + "\",\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,"
                + "\"cpuMillis\":100,\"memoryMib\":64}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";
    }

    private static final String SERVER = "{\"name\":\"s9\",\"cpuMillis\":1,\"memoryMib\":1}";
    private static final String HEARTBEAT = "{\"workers\":[]}";
    private static final String REGISTER = "{\"name\":\"s1\",\"cpuMillis\":64000,\"memoryMib\":65536,\"networkMbps\":0}";

    /** name, method, path, body, then the expected status for admin, operator, user-a, agent-s1, anonymous. */
    static Stream<Call> matrix() {
        Object[][] rows = {
                {"list servers", "GET", "/api/v1/servers", null, 200, 200, 200, 403, 401},
                {"get server", "GET", "/api/v1/servers/s1", null, 200, 200, 200, 403, 401},
                {"create server", "POST", "/api/v1/servers", SERVER, 201, 201, 403, 403, 401},
                {"replace server", "PUT", "/api/v1/servers/s9", SERVER, 201, 201, 403, 403, 401},
                {"cordon server", "POST", "/api/v1/servers/s2/cordon", "", 200, 200, 403, 403, 401},
                {"change state", "PUT", "/api/v1/servers/s2/state", "{\"state\":\"DOWN\"}", 200, 200, 403, 403, 401},
                {"delete server", "DELETE", "/api/v1/servers/s2", null, 204, 204, 403, 403, 401},
                {"topology", "GET", "/api/v1/topology", null, 200, 200, 200, 403, 401},
                {"list racks", "GET", "/api/v1/racks", null, 200, 200, 200, 403, 401},
                {"create rack", "POST", "/api/v1/racks", "{\"name\":\"r9\",\"zone\":\"default\"}", 201, 201, 403, 403, 401},
                {"create zone", "POST", "/api/v1/zones", "{\"name\":\"z9\"}", 201, 201, 403, 403, 401},
                {"create link", "POST", "/api/v1/links", "{\"endpointA\":\"s1\",\"endpointB\":\"s2\",\"bandwidthMbps\":1,\"latencyMicros\":1}", 201, 201, 403, 403, 401},
                {"create volume", "POST", "/api/v1/volumes", "{\"name\":\"v\",\"kind\":\"NAS\",\"capacityGib\":1,\"bandwidthMbPerSec\":1}", 201, 201, 403, 403, 401},
                {"export", "GET", "/api/v1/inventory/export", null, 200, 200, 403, 403, 401},
                {"import", "POST", "/api/v1/inventory/import", "{\"zones\":[{\"name\":\"z8\"}]}", 200, 200, 403, 403, 401},
                {"list quotas", "GET", "/api/v1/quotas", null, 200, 200, 200, 403, 401},
                {"set quota", "PUT", "/api/v1/quotas/a", "{\"gpuMilli\":1000}", 200, 403, 403, 403, 401},
                {"read missing quota", "GET", "/api/v1/quotas/a", null, 404, 404, 404, 403, 401},
                {"delete missing quota", "DELETE", "/api/v1/quotas/a", null, 404, 403, 403, 403, 401},
                {"submit own tenant", "POST", "/api/v1/jobs", job("a"), 201, 201, 201, 403, 401},
                {"submit other tenant", "POST", "/api/v1/jobs", job("b"), 201, 201, 403, 403, 401},
                {"submit batch own tenant", "POST", "/api/v1/jobs/batch", "{\"jobs\":[" + job("a") + "]}", 201, 201, 201, 403, 401},
                {"submit batch with another tenant", "POST", "/api/v1/jobs/batch", "{\"jobs\":[" + job("a") + "," + job("b") + "]}", 201, 201, 403, 403, 401},
                {"list jobs", "GET", "/api/v1/jobs", null, 200, 200, 200, 403, 401},
                {"get own job", "GET", "/api/v1/jobs/{jobA}", null, 200, 200, 200, 403, 401},
                {"get other tenant's job", "GET", "/api/v1/jobs/{jobB}", null, 200, 200, 404, 403, 401},
                {"cancel own job", "POST", "/api/v1/jobs/{jobA}/cancel", "", 200, 200, 200, 403, 401},
                {"cancel other tenant's job", "POST", "/api/v1/jobs/{jobB}/cancel", "", 200, 200, 404, 403, 401},
                {"logs of own job", "GET", "/api/v1/jobs/{jobA}/logs", null, 200, 200, 200, 403, 401},
                {"logs of other tenant's job", "GET", "/api/v1/jobs/{jobB}/logs", null, 200, 200, 404, 403, 401},
                {"agent register own server", "POST", "/api/v1/agents/register", REGISTER, 200, 403, 403, 200, 401},
                {"agent register other server", "POST", "/api/v1/agents/register", REGISTER.replace("s1", "s2"), 200, 403, 403, 403, 401},
                {"heartbeat own server", "POST", "/api/v1/agents/s1/heartbeat", HEARTBEAT, 200, 403, 403, 200, 401},
                {"heartbeat other server", "POST", "/api/v1/agents/s2/heartbeat", HEARTBEAT, 200, 403, 403, 403, 401},
                {"long-poll heartbeat own server", "POST", "/api/v1/agents/s1/heartbeat?waitSeconds=0", HEARTBEAT, 200, 403, 403, 200, 401},
                {"long-poll heartbeat other server", "POST", "/api/v1/agents/s2/heartbeat?waitSeconds=0", HEARTBEAT, 200, 403, 403, 403, 401},
                {"metrics for another server's worker", "POST", "/api/v1/agents/s2/workers/00000000-0000-0000-0000-000000000001/metrics", "{\"epoch\":1,\"loss\":0.5}", 404, 403, 403, 403, 401},
                {"issue token", "POST", "/api/v1/tokens", "{\"name\":\"x\",\"role\":\"OPERATOR\"}", 201, 403, 403, 403, 401},
                {"list tokens", "GET", "/api/v1/tokens", null, 200, 403, 403, 403, 401},
                {"read audit", "GET", "/api/v1/audit", null, 200, 403, 403, 403, 401},
                // actuator endpoints are served on the management port only (see PlatformEndpointsTest)
                {"no health on the API port", "GET", "/actuator/health", null, 404, 404, 404, 404, 404},
        };
        List<Call> calls = new ArrayList<>();
        for (Object[] row : rows) {
            for (int c = 0; c < CALLERS.length; c++) {
                calls.add(new Call(row[0] + " as " + CALLERS[c], CALLERS[c], (String) row[1], (String) row[2],
                        (String) row[3], (int) row[4 + c]));
            }
        }
        return calls.stream();
    }

    /** One call of the matrix by one caller, and the status it must get. */
    record Call(String name, String caller, String method, String path, String body, int expected) {
        boolean writes() {
            return !method.equals("GET");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Call> writes() {
        return matrix().filter(Call::writes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void enforcesRolesTenantsAndServerBinding(Call call) {
        check(call);
    }

    @TestFactory
    Stream<DynamicTest> readsEnforceRolesAndTenantsOnOneWorld() {
        return matrix().filter(call -> !call.writes()).map(call -> dynamicTest(call.name(), () -> check(call)));
    }

    private void check(Call call) {
        token = tokenOf.get(call.caller());
        String p = call.path().replace("{jobA}", jobA).replace("{jobB}", jobB);
        HttpRequest.BodyPublisher publisher = call.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(call.body());
        Response r = send(HttpRequest.newBuilder(uri(p)).header("Content-Type", "application/json")
                .method(call.method(), publisher));

        assertThat(r.status()).as(r.body()).isEqualTo(call.expected());
        if (call.expected() == 401 || call.expected() == 403) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    @Test
    void anEnrollmentTokenOnlyRegistersAndIsExchangedForAServerBoundToken() {
        token = tokens.issue("fleet", Role.AGENT, null, null).token();
        assertThat(postJson("/api/v1/agents/s1/heartbeat", HEARTBEAT).status()).isEqualTo(403);

        Response registered = postJson("/api/v1/agents/register", REGISTER);
        assertThat(registered.status()).as(registered.body()).isEqualTo(200);
        String bound = JsonPath.read(registered.body(), "$.agentToken");
        assertThat(bound).isNotBlank();

        token = bound;
        assertThat(postJson("/api/v1/agents/s1/heartbeat", HEARTBEAT).status()).isEqualTo(200);
        assertThat(postJson("/api/v1/agents/s2/heartbeat", HEARTBEAT).status()).isEqualTo(403);
        assertThat(get("/api/v1/servers").status()).isEqualTo(403);
        // an agent with a server-bound token registers without being given another one
        token = tokenOf.get("agent-s1");
        assertThat((String) JsonPath.read(postJson("/api/v1/agents/register", REGISTER).body(), "$.agentToken")).isNull();
    }

    @Test
    void externalJwtsCarryRoleAndTenant() {
        token = TestJwtIssuer.sign("bob", Map.of("berth_role", "user", "tenant", "a"), 300);
        assertThat((List<String>) JsonPath.read(get("/api/v1/jobs").body(), "$.items[*].tenant")).containsOnly("a");
        assertThat(get("/api/v1/jobs/" + jobB).status()).isEqualTo(404);
        assertThat(postJson("/api/v1/servers", SERVER).status()).isEqualTo(403);

        token = TestJwtIssuer.sign("olga", Map.of("berth_role", "operator"), 300);
        assertThat(postJson("/api/v1/servers/s1/cordon", "").status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT principal FROM audit_log ORDER BY id DESC LIMIT 1", String.class))
                .isEqualTo("olga");

        token = TestJwtIssuer.sign("mallory", Map.of("berth_role", "user"), 300); // a user without a tenant
        assertThat(get("/api/v1/jobs").status()).isEqualTo(401);
        token = TestJwtIssuer.sign("bob", Map.of("berth_role", "user", "tenant", "a"), -60); // expired
        assertThat(get("/api/v1/jobs").status()).isEqualTo(401);
    }

    @Test
    void aUserListsOnlyItsTenantsJobs() {
        token = tokenOf.get("user-a");
        List<String> tenants = JsonPath.read(get("/api/v1/jobs").body(), "$.items[*].tenant");
        assertThat(tenants).containsOnly("a").hasSize(1);
        assertThat((Integer) JsonPath.read(get("/api/v1/jobs?tenant=b").body(), "$.total")).isZero();
    }

    @Test
    void everyMutatingCallIsAuditedWithWhoWhatAndOutcome() {
        token = tokenOf.get("operator");
        postJson("/api/v1/servers/s1/cordon", "");
        token = tokenOf.get("user-a");
        postJson("/api/v1/servers", SERVER);
        get("/api/v1/servers");

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT principal, role, method, path, status, outcome FROM audit_log WHERE principal IN ('op', 'alice') ORDER BY id");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("principal", "op").containsEntry("role", "OPERATOR")
                .containsEntry("method", "POST").containsEntry("path", "/api/v1/servers/s1/cordon")
                .containsEntry("status", 200).containsEntry("outcome", "SUCCESS");
        assertThat(rows.get(1)).containsEntry("principal", "alice").containsEntry("status", 403)
                .containsEntry("outcome", "DENIED");

        token = tokenOf.get("admin");
        Response audit = get("/api/v1/audit");
        assertThat((List<String>) JsonPath.read(audit.body(), "$.items[*].principal")).contains("op", "alice");
    }

    @Test
    void tokensAreStoredHashedAndNeverEchoed() {
        String secret = tokenOf.get("user-a");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE encode(token_hash, 'escape') LIKE ?",
                Long.class, "%" + secret + "%")).isZero();
        Response listed = get("/api/v1/tokens");
        assertThat(listed.body()).doesNotContain(secret).contains("alice");

        token = secret + "x";
        Response bad = get("/api/v1/servers");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.body()).doesNotContain(secret);
    }

    @Test
    void aRevokedTokenStopsWorking() throws InterruptedException {
        String id = JsonPath.read(postJson("/api/v1/tokens", "{\"name\":\"tmp\",\"role\":\"OPERATOR\"}").body(), "$.id");
        String tmp = JsonPath.read(get("/api/v1/tokens").body(), "$[?(@.id == '" + id + "')].name").toString();
        assertThat(tmp).contains("tmp");
        String issued = tokens.issue("tmp2", Role.OPERATOR, null, null).token();
        token = issued;
        assertThat(get("/api/v1/servers").status()).isEqualTo(200);
        token = tokenOf.get("admin");
        String id2 = JsonPath.read(get("/api/v1/tokens").body(), "$[?(@.name == 'tmp2')].id[0]") == null ? null
                : JsonPath.<List<String>>read(get("/api/v1/tokens").body(), "$[?(@.name == 'tmp2')].id").get(0);
        assertThat(delete("/api/v1/tokens/" + id2).status()).isEqualTo(204);
        token = issued;
        assertThat(get("/api/v1/servers").status()).isEqualTo(401);
    }
}
