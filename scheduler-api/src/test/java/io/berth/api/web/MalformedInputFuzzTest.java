package io.berth.api.web;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends a few thousand malformed requests (seeded, so a failure replays) to every mutating endpoint over real HTTP:
 * each starts from a valid document and breaks it in one way that no endpoint may accept (an unknown field, a fraction
 * or a string for an integer, a NUL, truncated or duplicated syntax, a wrong root, an overflowing number, deep
 * nesting, invalid UTF-8, a YAML alias bomb, a wrong or wildcard Content-Type, a hostile path). Every answer must be a
 * 4xx problem details document, and no table may have gained or lost a row.
 */
class MalformedInputFuzzTest extends ApiTestBase {
    private static final long SEED = 20261203L;
    private static final int PER_ENDPOINT = 240;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** A mutating endpoint, a valid body for it, and which of its fields are integers and strings. */
    private record Endpoint(String method, String path, String body, List<String> integers, List<String> strings) {
    }

    private static final String JOB = "{\"name\":\"j\",\"tenant\":\"team-a\",\"priority\":1,\"taskGroups\":[{\"name\":\"t\","
            + "\"replicas\":1,\"cpuMillis\":100,\"memoryMib\":64}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", "/api/v1/servers", "{\"name\":\"fz\",\"cpuMillis\":1000,\"memoryMib\":1024,\"networkMbps\":10}",
                    List.of("cpuMillis", "memoryMib", "networkMbps"), List.of("name")),
            new Endpoint("PUT", "/api/v1/servers/fz", "{\"name\":\"fz\",\"cpuMillis\":1000,\"memoryMib\":1024}",
                    List.of("cpuMillis", "memoryMib"), List.of("name")),
            new Endpoint("PUT", "/api/v1/servers/fz/state", "{\"state\":\"DRAINING\"}", List.of(), List.of("state")),
            new Endpoint("POST", "/api/v1/zones", "{\"name\":\"z-fz\"}", List.of(), List.of("name")),
            new Endpoint("POST", "/api/v1/racks", "{\"name\":\"r-fz\",\"zone\":\"default\"}", List.of(), List.of("name", "zone")),
            new Endpoint("POST", "/api/v1/switches", "{\"name\":\"sw-fz\",\"tier\":\"LEAF\"}", List.of(), List.of("name", "tier")),
            new Endpoint("POST", "/api/v1/links", "{\"endpointA\":\"default\",\"endpointB\":\"default\",\"bandwidthMbps\":1,"
                    + "\"latencyMicros\":1}", List.of("bandwidthMbps", "latencyMicros"), List.of("endpointA", "endpointB")),
            new Endpoint("POST", "/api/v1/volumes", "{\"name\":\"nas-fz\",\"kind\":\"NAS\",\"capacityGib\":1,\"bandwidthMbPerSec\":1}",
                    List.of("capacityGib", "bandwidthMbPerSec"), List.of("name", "kind")),
            new Endpoint("POST", "/api/v1/inventory/import", "{\"zones\":[{\"name\":\"z-imp\"}],\"servers\":[]}", List.of(), List.of()),
            new Endpoint("POST", "/api/v1/jobs", JOB, List.of("priority"), List.of("name", "tenant")),
            new Endpoint("POST", "/api/v1/jobs/batch", "{\"jobs\":[" + JOB + "]}", List.of(), List.of()),
            new Endpoint("PUT", "/api/v1/quotas/team-fz", "{\"gpuMilli\":1000,\"cpuMillis\":2000}",
                    List.of("gpuMilli", "cpuMillis"), List.of()),
            new Endpoint("POST", "/api/v1/tokens", "{\"name\":\"tk\",\"role\":\"OPERATOR\"}", List.of(), List.of("name", "role")),
            new Endpoint("POST", "/api/v1/agents/register", "{\"name\":\"fz\",\"cpuMillis\":1000,\"memoryMib\":1024,"
                    + "\"networkMbps\":0}", List.of("cpuMillis", "memoryMib", "networkMbps"), List.of("name")),
            new Endpoint("POST", "/api/v1/agents/fz/heartbeat", "{\"workers\":[]}", List.of(), List.of()));

    private static final List<String> BAD_CONTENT_TYPES = List.of("*/*", "application/*", "text/*", "*/json",
            "application/xml", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
            "json", "application/json; charset=no-such-charset", ";;;", "application/", "\u00e9/\u00e9");
    private static final List<String> BAD_PATH_SUFFIXES = List.of("/..", "/%2e%2e", "/%2F", "%00", ";x=1", "/%0d%0a",
            "/%ZZ", "/%5C", "/..;/tokens", "/./.");

    /** One way to break a valid request; it returns the broken request, or null when it does not apply. */
    private record Broken(String head, byte[] body, String contentType) {
    }

    private final List<BiFunction<Endpoint, Random, Broken>> mutations = List.of(
            (e, r) -> json(e, tree(e).put("zz" + r.nextInt(1000), r.nextInt())),
            (e, r) -> e.integers().isEmpty() ? null : json(e, tree(e).put(pick(e.integers(), r), r.nextInt(1000) + 0.5)),
            (e, r) -> e.integers().isEmpty() ? null : json(e, tree(e).put(pick(e.integers(), r), String.valueOf(r.nextInt(9)))),
            (e, r) -> e.integers().isEmpty() ? null : json(e, tree(e).put(pick(e.integers(), r), "")),
            (e, r) -> e.integers().isEmpty() ? null : json(e, tree(e).put(pick(e.integers(), r), true)),
            (e, r) -> e.integers().isEmpty() ? null : raw(e, e.body().replaceFirst("\"" + pick(e.integers(), r) + "\":\\d+",
                    "\"" + pick(e.integers(), r) + "\":" + "9".repeat(20 + r.nextInt(400))), "application/json"),
            (e, r) -> e.strings().isEmpty() ? null : json(e, tree(e).put(pick(e.strings(), r), "a\u0000b")),
            (e, r) -> e.strings().isEmpty() ? null : json(e, tree(e).put(pick(e.strings(), r), r.nextInt())),
            (e, r) -> raw(e, e.body().substring(0, 1 + r.nextInt(e.body().length() - 1)), "application/json"),
            (e, r) -> raw(e, "{" + firstPair(e.body()) + "," + e.body().substring(1), "application/json"),
            (e, r) -> raw(e, pick(List.of("[]", "\"s\"", "42", "null", "true", "[" + e.body() + "]", ""), r), "application/json"),
            (e, r) -> raw(e, "[".repeat(2_000 + r.nextInt(3_000)), "application/json"),
            (e, r) -> new Broken(null, badUtf8(e.body(), r), "application/json"),
            (e, r) -> raw(e, randomBytes(r), "application/json"),
            (e, r) -> raw(e, yaml(e) + "zz" + r.nextInt(100) + ": 1\n", "application/yaml"),
            (e, r) -> raw(e, yaml(e) + "\t bad: [", "application/yaml"),
            (e, r) -> raw(e, "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", "application/yaml"),
            (e, r) -> raw(e, e.body(), pick(BAD_CONTENT_TYPES, r)),
            (e, r) -> raw(e, yaml(e), null),
            (e, r) -> new Broken(e.method() + " " + e.path() + pick(BAD_PATH_SUFFIXES, r) + " HTTP/1.1",
                    e.body().getBytes(StandardCharsets.UTF_8), "application/json"));

    /** Mutating endpoints without a body: hostile or malformed paths and ids, stray bodies, oversized request lines. */
    private static final List<String> BODILESS = List.of("POST /api/v1/servers/{name}/cordon",
            "POST /api/v1/servers/{name}/drain", "POST /api/v1/servers/{name}/ready", "DELETE /api/v1/servers/{name}",
            "DELETE /api/v1/zones/{name}", "DELETE /api/v1/racks/{name}", "DELETE /api/v1/quotas/{name}",
            "DELETE /api/v1/tokens/{id}", "POST /api/v1/jobs/{id}/cancel", "DELETE /api/v1/links/{id}");

    @Test
    void malformedPathsAndIdsOnBodilessEndpointsAreProblemDetails() {
        Random random = new Random(SEED + 1);
        List<String> names = List.of("missing", "a%2Fb", "..", "%2e%2e", "a;b", "a%00", "%ZZ", "a%0d%0ab", "x".repeat(300),
                "%C3%28", "%FF", "a%5Cb", "%252e%252e", "été");
        List<String> ids = List.of("not-a-uuid", "00000000-0000-0000-0000-00000000000g", "-1", "1e99", "%00", "..", "");
        List<String> failures = new ArrayList<>();
        Map<String, Long> before = rows();
        for (int i = 0; i < 600; i++) {
            String endpoint = pick(BODILESS, random);
            String line = endpoint.replace("{name}", pick(names, random)).replace("{id}", pick(ids, random));
            if (random.nextInt(10) == 0) line = line + "/" + "y".repeat(9_000); // past Tomcat's header size limit
            String head = line + " HTTP/1.1";
            byte[] body = null;
            if (random.nextBoolean()) {
                head += "\r\nContent-Type: " + pick(BAD_CONTENT_TYPES, random);
                body = "{}".getBytes(StandardCharsets.UTF_8);
            }
            Response r = raw(head, body);
            String problem = check(r);
            if (problem != null && failures.size() < 30) failures.add(Logs.escape(line) + " -> " + problem);
        }
        assertThat(failures).as("seed %d", SEED + 1).isEmpty();
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void malformedRequestsAreProblemDetailsAndStoreNothing() {
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Endpoint endpoint : ENDPOINTS) {
            Map<String, Long> before = rows();
            for (int i = 0; i < PER_ENDPOINT; i++) {
                int which = random.nextInt(mutations.size());
                Broken broken = mutations.get(which).apply(endpoint, random);
                if (broken == null) continue;
                Response r = send(endpoint, broken, random);
                sent++;
                String problem = check(r);
                if (problem != null && failures.size() < 30) {
                    failures.add(endpoint.method() + " " + endpoint.path() + " mutation " + which + " -> " + problem
                            + "\n    sent " + Logs.escape(new String(broken.body(), StandardCharsets.UTF_8)));
                }
            }
            Map<String, Long> after = rows();
            if (!after.equals(before)) failures.add(endpoint.path() + ": rows changed " + before + " -> " + after);
        }
        assertThat(sent).isGreaterThan(3_000);
        assertThat(failures).as("seed %d", SEED).isEmpty();
    }

    private Response send(Endpoint endpoint, Broken broken, Random random) {
        boolean hostileHead = broken.head() != null;
        boolean oddType = broken.contentType() != null && !broken.contentType().startsWith("application/json")
                && !broken.contentType().startsWith("application/yaml");
        if (hostileHead || oddType || broken.contentType() == null) {
            String head = hostileHead ? broken.head() : endpoint.method() + " " + endpoint.path() + " HTTP/1.1";
            if (broken.contentType() != null) head += "\r\nContent-Type: " + broken.contentType();
            return raw(head, broken.body());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(endpoint.path()))
                .header("Content-Type", broken.contentType())
                .method(endpoint.method(), HttpRequest.BodyPublishers.ofByteArray(broken.body()));
        if (endpoint.path().startsWith("/api/v1/jobs") && random.nextInt(4) == 0) {
            request.header("Idempotency-Key", "k-" + random.nextInt(5));
        }
        return send(request);
    }

    /** Null when the answer is a 4xx problem details document, else what is wrong with it. */
    private static String check(Response r) {
        if (r.status() < 400 || r.status() > 499) return "status " + r.status() + ": " + Logs.escape(r.body());
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/problem+json")) return "content type '" + type + "': " + Logs.escape(r.body());
        try {
            JsonNode body = JSON.readTree(r.body());
            if (!body.path("type").asString("").startsWith("https://berth.dev/problems/")
                    || body.path("title").asString("").isBlank() || body.path("status").asInt() != r.status()) {
                return "incomplete problem " + Logs.escape(r.body());
            }
        } catch (RuntimeException e) {
            return "not JSON: " + Logs.escape(r.body());
        }
        return null;
    }

    private Map<String, Long> rows() {
        Map<String, Long> rows = new java.util.TreeMap<>();
        for (String table : List.of("servers", "accelerators", "local_devices", "racks", "zones", "switches",
                "network_links", "shared_volumes", "jobs", "job_events", "workers", "api_tokens", "tenant_quotas")) {
            rows.put(table, count(table));
        }
        return rows;
    }

    private static ObjectNode tree(Endpoint e) {
        return (ObjectNode) JSON.readTree(e.body());
    }

    private static Broken json(Endpoint e, JsonNode tree) {
        return raw(e, JSON.writeValueAsString(tree), "application/json");
    }

    private static Broken raw(Endpoint e, String body, String contentType) {
        return new Broken(null, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    private static Broken raw(Endpoint e, byte[] body, String contentType) {
        return new Broken(null, body, contentType);
    }

    private static String yaml(Endpoint e) {
        return YAML.writeValueAsString(JSON.readTree(e.body()));
    }

    /** The first {@code "key":value} of a flat-enough JSON object, to duplicate it. */
    private static String firstPair(String body) {
        int colon = body.indexOf(':');
        int end = colon + 1;
        int depth = 0;
        boolean inString = false;
        for (; end < body.length(); end++) {
            char c = body.charAt(end);
            if (c == '"' && body.charAt(end - 1) != '\\') inString = !inString;
            if (inString) continue;
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') {
                if (depth == 0) break;
                depth--;
            }
            if (c == ',' && depth == 0) break;
        }
        return body.substring(1, end);
    }

    /** The body with an invalid UTF-8 sequence inside its first string. */
    private static byte[] badUtf8(String body, Random r) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int quote = body.indexOf('"', body.indexOf(':'));
        byte[] out = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, out, 0, quote + 1);
        out[quote + 1] = (byte) 0xC3;
        out[quote + 2] = (byte) (r.nextBoolean() ? 0x28 : 0xFF);
        System.arraycopy(bytes, quote + 1, out, quote + 3, bytes.length - quote - 1);
        return out;
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(300)];
        r.nextBytes(b);
        b[0] = (byte) 0xFF; // never the start of a JSON document
        return b;
    }

    private static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }
}
