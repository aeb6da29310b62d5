package io.berth.api.jobs;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class JobApiTest extends ApiTestBase {
    static final String EMBEDDED = "{\"type\":\"embedded\",\"embedded\":{\"model\":{\"type\":\"mlp\"},"
            + "\"data\":{\"type\":\"generated\",\"generator\":\"xor\"},\"epochs\":2}}";

    static String job(String name, int priority, String group) {
        return "{\"name\":\"" + name + "\",\"tenant\":\"team-a\",\"priority\":" + priority + ",\"taskGroups\":[" + group
                + "],\"runtime\":" + EMBEDDED + "}";
    }

    static String group(int replicas, int gpus) {
        return "{\"name\":\"trainer\",\"replicas\":" + replicas + ",\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus + "}";
    }

    @BeforeEach
    void cluster() {
        // not schedulable by the background loop unless a test marks it live
        postJson("/api/v1/servers", "{\"name\":\"gpu-1\",\"cpuMillis\":64000,\"memoryMib\":262144,\"accelerators\":["
                + "{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920},{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}]}");
    }

    static Stream<Arguments> invalidJobs() {
        String g = group(1, 1);
        return Stream.of(
                arguments("missing name", "{\"tenant\":\"t\",\"taskGroups\":[" + g + "],\"runtime\":" + EMBEDDED + "}", 400, "name"),
                arguments("missing tenant", "{\"name\":\"j\",\"taskGroups\":[" + g + "],\"runtime\":" + EMBEDDED + "}", 400, "tenant"),
                arguments("no task groups", "{\"name\":\"j\",\"tenant\":\"t\",\"taskGroups\":[],\"runtime\":" + EMBEDDED + "}", 400, "taskGroups"),
                arguments("missing runtime", "{\"name\":\"j\",\"tenant\":\"t\",\"taskGroups\":[" + g + "]}", 400, "runtime"),
                arguments("priority too high", job("j", 5000, g), 400, "priority"),
                arguments("zero replicas", job("j", 0, group(0, 1)), 400, "taskGroups[0].replicas"),
                arguments("negative cpu", job("j", 0, g.replace("\"cpuMillis\":1000", "\"cpuMillis\":-1")), 400, "taskGroups[0].cpuMillis"),
                arguments("milliGpu zero", job("j", 0, g.replace("\"gpus\":1", "\"gpus\":1,\"milliGpu\":0")), 400, "taskGroups[0].milliGpu"),
                arguments("shared multi-gpu", job("j", 0, g.replace("\"gpus\":1", "\"gpus\":2,\"milliGpu\":500")), 400, "taskGroups[0].milliGpu"),
                arguments("gang above replicas", job("j", 0, g.replace("\"gpus\":1", "\"gpus\":1,\"gangSize\":3")), 400, "taskGroups[0].gangSize"),
                arguments("bad topology", job("j", 0, g.replace("\"gpus\":1", "\"gpus\":1,\"topology\":\"CITY\"")), 400, "taskGroups[0].topology"),
                arguments("duplicate groups", job("j", 0, g + "," + g), 400, "taskGroups[1].name"),
                arguments("process without argv", job("j", 0, g).replace(EMBEDDED, "{\"type\":\"process\",\"process\":{\"argv\":[]}}"), 400, "runtime.process.argv"),
                arguments("process section missing", job("j", 0, g).replace(EMBEDDED, "{\"type\":\"process\"}"), 400, "runtime.process"),
                arguments("bad env name", job("j", 0, g).replace(EMBEDDED, "{\"type\":\"process\",\"process\":{\"argv\":[\"true\"],\"env\":{\"1X\":\"v\"}}}"), 400, "runtime.process.env"),
                arguments("unknown field", job("j", 0, g).replace("\"priority\"", "\"prio\":1,\"priority\""), 400, "prio"),
                arguments("malformed", "{\"name\":", 400, "body"),
                arguments("training: unknown model", job("j", 0, g).replace("\"mlp\"", "\"transformer\""), 400, "runtime.embedded.model.type"),
                arguments("training: zero epochs", job("j", 0, g).replace("\"epochs\":2", "\"epochs\":0"), 400, "runtime.embedded.epochs"),
                arguments("training: unknown field", job("j", 0, g).replace("\"epochs\":2", "\"epochz\":2"), 400, "runtime.embedded.epochz"),
                arguments("training: no data", job("j", 0, g).replace("\"data\":{\"type\":\"generated\",\"generator\":\"xor\"},", ""), 400, "runtime.embedded.data"),
                arguments("training: xor with 3 features", job("j", 0, g).replace("\"generator\":\"xor\"", "\"generator\":\"xor\",\"features\":3"), 400, "runtime.embedded.data.features"),
                arguments("training: csv without path", job("j", 0, g).replace("\"type\":\"generated\",\"generator\":\"xor\"", "\"type\":\"csv\""), 400, "runtime.embedded.data.path"),
                arguments("training: negative learning rate", job("j", 0, g).replace("\"epochs\":2", "\"epochs\":2,\"optimizer\":{\"learningRate\":-1}"), 400, "runtime.embedded.optimizer.learningRate"),
                arguments("never fits: 3 GPUs on 2-GPU servers", job("j", 0, group(1, 3)), 422, null),
                arguments("never fits: model", job("j", 0, g.replace("\"gpus\":1", "\"gpus\":1,\"acceleratorModels\":[\"TPUv5\"]")), 422, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidJobs")
    void rejectsInvalidJobsAndStoresNothing(String name, String body, int status, String field) {
        Response r = postJson("/api/v1/jobs", body);

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        if (field != null) {
            List<String> fields = JsonPath.read(r.body(), "$.errors[*].field");
            assertThat(fields).as(r.body()).anySatisfy(f -> assertThat(f).startsWith(field));
        }
        if (status == 422) assertThat((String) JsonPath.read(r.body(), "$.detail")).contains("can never fit");
        assertThat(count("jobs")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidJobs")
    void aBatchWithOneInvalidJobIsRefusedWholeNamingTheJob(String name, String body, int status, String field) {
        Response r = postJson("/api/v1/jobs/batch", "{\"jobs\":[" + job("fine", 0, group(1, 1)) + "," + body + "]}");

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        if (field != null && !field.equals("body")) {
            List<String> fields = JsonPath.read(r.body(), "$.errors[*].field");
            assertThat(fields).as(r.body()).anySatisfy(f -> assertThat(f).startsWith("jobs[1]." + field));
        }
        if (status == 422) assertThat((String) JsonPath.read(r.body(), "$.detail")).startsWith("jobs[1] can never fit");
        assertThat(count("jobs")).isZero();
        assertThat(count("job_events")).isZero();
    }

    @Test
    void submitsABatchInOrderAndARetriedBatchReturnsTheSameJobs() {
        String batch = "{\"jobs\":[" + job("first", 1, group(1, 1)) + "," + job("second", 2, group(1, 2)) + ","
                + job("third", 3, group(2, 0)) + "]}";
        Response created = send(HttpRequest.newBuilder(uri("/api/v1/jobs/batch")).header("Content-Type", "application/json")
                .header("Idempotency-Key", "nightly-7").POST(HttpRequest.BodyPublishers.ofString(batch)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<String> ids = JsonPath.read(created.body(), "$.jobs[*].id");
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        for (int i = 0; i < 3; i++) {
            String detail = get("/api/v1/jobs/" + ids.get(i)).body();
            assertThat((String) JsonPath.read(detail, "$.name")).isEqualTo(List.of("first", "second", "third").get(i));
            assertThat((String) JsonPath.read(detail, "$.state")).isIn("QUEUED", "SCHEDULED");
            assertThat((List<String>) JsonPath.read(detail, "$.events[*].to")).startsWith("QUEUED");
        }

        Response retried = send(HttpRequest.newBuilder(uri("/api/v1/jobs/batch")).header("Content-Type", "application/json")
                .header("Idempotency-Key", "nightly-7").POST(HttpRequest.BodyPublishers.ofString(batch)));
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat((List<String>) JsonPath.read(retried.body(), "$.jobs[*].id")).isEqualTo(ids);
        assertThat((List<Boolean>) JsonPath.read(retried.body(), "$.jobs[*].replayed")).containsOnly(true);
        assertThat(count("jobs")).isEqualTo(3);
        assertThat(count("job_events WHERE to_state = 'QUEUED'")).isEqualTo(3);
    }

    @Test
    void parallelBatchesWaitForTheirTurnAndAllLand() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Response>> futures = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            StringBuilder jobs = new StringBuilder();
            for (int i = 0; i < 25; i++) jobs.append(i == 0 ? "" : ",").append(job("p" + b + "-" + i, 0, group(1, 1)));
            String body = "{\"jobs\":[" + jobs + "]}";
            futures.add(pool.submit(() -> postJson("/api/v1/jobs/batch", body)));
        }
        for (Future<Response> f : futures) assertThat(f.get().status()).as(f.get().body()).isEqualTo(201);
        pool.shutdown();
        assertThat(count("jobs")).isEqualTo(200);
        assertThat(count("job_events WHERE to_state = 'QUEUED'")).isEqualTo(200);
    }

    @Test
    void batchLimitsAndYaml() {
        assertThat(postJson("/api/v1/jobs/batch", "{\"jobs\":[]}").status()).isEqualTo(400);
        String many = String.join(",", java.util.Collections.nCopies(1001, job("j", 0, group(1, 0))));
        Response tooMany = postJson("/api/v1/jobs/batch", "{\"jobs\":[" + many + "]}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat((List<String>) JsonPath.read(tooMany.body(), "$.errors[*].field")).contains("jobs");
        Response yaml = post("/api/v1/jobs/batch", "application/yaml", """
                jobs:
                  - name: sweep-lr-0.1
                    tenant: team-b
                    taskGroups: [{name: w, replicas: 1, cpuMillis: 500, memoryMib: 512}]
                    runtime: {type: process, process: {argv: [python, train.py, --lr, "0.1"]}}
                  - name: sweep-lr-0.01
                    tenant: team-b
                    taskGroups: [{name: w, replicas: 1, cpuMillis: 500, memoryMib: 512}]
                    runtime: {type: process, process: {argv: [python, train.py, --lr, "0.01"]}}
                """);
        assertThat(yaml.status()).as(yaml.body()).isEqualTo(201);
        assertThat(count("jobs WHERE tenant = 'team-b'")).isEqualTo(2);
        assertThat(count("jobs")).isEqualTo(2);
    }

    @Test
    void submitsAsJsonOrYamlAndReadsBack() {
        Response json = postJson("/api/v1/jobs", job("json-job", 5, group(1, 1)));
        assertThat(json.status()).as(json.body()).isEqualTo(201);
        String id = JsonPath.read(json.body(), "$.id");
        assertThat(json.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + id);

        Response yaml = post("/api/v1/jobs", "application/yaml", """
                name: yaml-job
                tenant: team-b
                taskGroups:
                  - {name: workers, replicas: 2, cpuMillis: 500, memoryMib: 512, gpus: 1, milliGpu: 250}
                runtime:
                  type: process
                  process: {argv: [python, train.py], env: {EPOCHS: "3"}}
                """);
        assertThat(yaml.status()).as(yaml.body()).isEqualTo(201);

        Response detail = get("/api/v1/jobs/" + id);
        assertThat(detail.status()).isEqualTo(200);
        assertThat((String) JsonPath.read(detail.body(), "$.name")).isEqualTo("json-job");
        assertThat((List<String>) JsonPath.read(detail.body(), "$.events[*].to")).startsWith("QUEUED");
        assertThat((Integer) JsonPath.read(detail.body(), "$.spec.taskGroups[0].gpus")).isEqualTo(1);

        assertThat((Integer) JsonPath.read(get("/api/v1/jobs?tenant=team-b").body(), "$.total")).isEqualTo(1);
        assertThat((Integer) JsonPath.read(get("/api/v1/jobs?state=QUEUED").body(), "$.total")).isEqualTo(2);
        assertThat(get("/api/v1/jobs/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(get("/api/v1/jobs/not-a-uuid").status()).isEqualTo(400);
    }

    @Test
    void cancelEndsAQueuedJobOnceAndRecordsTheEvent() {
        String id = JsonPath.read(postJson("/api/v1/jobs", job("c", 0, group(1, 1))).body(), "$.id");

        Response cancelled = postJson("/api/v1/jobs/" + id + "/cancel", "");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat((String) JsonPath.read(cancelled.body(), "$.state")).isEqualTo("CANCELLED");
        assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(409);
        List<String> to = JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.events[*].to");
        assertThat(to).containsExactly("QUEUED", "CANCELLED");
    }

    @Test
    void fiftyParallelSubmissionsWithOneIdempotencyKeyCreateOneJob() throws Exception {
        String body = job("idem", 0, group(1, 1));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return send(HttpRequest.newBuilder(uri("/api/v1/jobs")).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "submit-42").POST(HttpRequest.BodyPublishers.ofString(body)));
            }));
        }
        start.countDown();
        Set<String> ids = new HashSet<>();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Response> f : futures) {
            Response r = f.get();
            statuses.add(r.status());
            ids.add(JsonPath.read(r.body(), "$.id"));
        }
        pool.shutdown();

        assertThat(ids).hasSize(1);
        assertThat(statuses).containsOnly(200, 201);
        assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
        assertThat(count("jobs")).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events", Long.class)).isEqualTo(1);
    }
}
