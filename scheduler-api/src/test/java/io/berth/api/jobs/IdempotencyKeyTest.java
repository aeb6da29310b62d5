package io.berth.api.jobs;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Idempotency-Key replays only the request it was first used with (compared by a hash of the normalised body, so
 * JSON and YAML of the same spec are one request); another body under a used key is 422, as payment APIs do. Keys of
 * single and batch submissions never meet.
 */
class IdempotencyKeyTest extends ApiTestBase {
    static final String JOB = "{\"name\":\"%s\",\"tenant\":\"team-a\",\"taskGroups\":[{\"name\":\"t\",\"replicas\":1,\"cpuMillis\":100,"
            + "\"memoryMib\":64}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";
    static final String JOB_YAML = """
            # the same spec as JOB("a"), other key order and layout
            runtime: {type: process, process: {argv: ["true"]}}
            tenant: team-a
            name: a
            taskGroups:
              - {name: t, memoryMib: 64, cpuMillis: 100, replicas: 1}
            """;
    static final String REUSED = "Idempotency-Key '%s' was already used for a different request; use a new key for a "
            + "new request";

    @BeforeEach
    void server() {
        liveServer("cpu-1", "default", 0, "none", 8_000, 16_384);
    }

    @Test
    void aKeyReplaysTheSameRequestInAnyFormatAndRefusesAnotherBody() {
        Response first = submit("/api/v1/jobs", "application/json", JOB.formatted("a"), "k1");
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String id = JsonPath.read(first.body(), "$.id");

        Response again = submit("/api/v1/jobs", "application/yaml", JOB_YAML, "k1");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(JsonPath.<String>read(again.body(), "$.id")).isEqualTo(id);

        Response other = submit("/api/v1/jobs", "application/json", JOB.formatted("b"), "k1");
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(JsonPath.<String>read(other.body(), "$.type")).isEqualTo("https://berth.dev/problems/idempotency-key-reused");
        assertThat(JsonPath.<String>read(other.body(), "$.detail")).isEqualTo(REUSED.formatted("k1"));
        assertThat(count("jobs")).isEqualTo(1);
    }

    @Test
    void mapsInTheSpecCompareRegardlessOfKeyOrder() {
        String envAb = JOB.formatted("a").replace("\"argv\":[\"true\"]", "\"argv\":[\"true\"],\"env\":{\"A\":\"1\",\"B\":\"2\"}");
        String envBa = JOB.formatted("a").replace("\"argv\":[\"true\"]", "\"argv\":[\"true\"],\"env\":{\"B\":\"2\",\"A\":\"1\"}");
        Response first = submit("/api/v1/jobs", "application/json", envAb, "k-env");
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        Response again = submit("/api/v1/jobs", "application/json", envBa, "k-env");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(JsonPath.<String>read(again.body(), "$.id")).isEqualTo(JsonPath.<String>read(first.body(), "$.id"));
        assertThat(count("jobs")).isEqualTo(1);
    }

    @Test
    void singleAndBatchKeysNeverMeet() {
        String batch = "{\"jobs\":[" + JOB.formatted("a") + "," + JOB.formatted("b") + "]}";
        Response stored = submit("/api/v1/jobs/batch", "application/json", batch, "k");
        assertThat(stored.status()).as(stored.body()).isEqualTo(201);
        List<String> ids = JsonPath.read(stored.body(), "$.jobs[*].id");

        // the batch stored job 1 under "k#1" in its own scope: a single submission with that key is a new job
        Response single = submit("/api/v1/jobs", "application/json", JOB.formatted("b"), "k#1");
        assertThat(single.status()).as(single.body()).isEqualTo(201);
        assertThat(JsonPath.<String>read(single.body(), "$.id")).isNotIn(ids);
        // and the key "k" of the batch is not a single submission's key either
        Response singleK = submit("/api/v1/jobs", "application/json", JOB.formatted("a"), "k");
        assertThat(singleK.status()).as(singleK.body()).isEqualTo(201);
        assertThat(JsonPath.<String>read(singleK.body(), "$.id")).isNotIn(ids);

        Response replayed = submit("/api/v1/jobs/batch", "application/json", batch, "k");
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(200);
        assertThat(JsonPath.<List<String>>read(replayed.body(), "$.jobs[*].id")).isEqualTo(ids);

        // another batch under the key, even one that starts with the same job: 422 and nothing stored
        String longer = "{\"jobs\":[" + JOB.formatted("a") + "," + JOB.formatted("b") + "," + JOB.formatted("c") + "]}";
        Response other = submit("/api/v1/jobs/batch", "application/json", longer, "k");
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(JsonPath.<String>read(other.body(), "$.detail")).isEqualTo(REUSED.formatted("k"));
        assertThat(count("jobs")).isEqualTo(4);
    }

    private Response submit(String path, String contentType, String body, String key) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
