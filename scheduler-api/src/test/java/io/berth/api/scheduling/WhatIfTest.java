package io.berth.api.scheduling;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/v1/jobs/what-if and a waiting job's outlook, over real HTTP against the real database. */
class WhatIfTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    private static String spec(String name, int priority, int gpus, Integer maxRunSeconds) {
        return "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"priority\":" + priority
                + (maxRunSeconds == null ? "" : ",\"maxRunSeconds\":" + maxRunSeconds)
                + ",\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus
                + "}],\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}";
    }

    private String submit(String json) {
        Response r = postJson("/api/v1/jobs", json);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private String state(String id) {
        return jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    private void settle() {
        for (int i = 0; i < 3; i++) loop.cycle();
    }

    @Test
    void runsNowOnTheFreeGpusAndStoresNothing() {
        liveServer("wi-1", "default", 4, "H100", 64000, 262144);
        String busy = submit(spec("busy", 0, 3, 3600));
        settle();
        assertThat(state(busy)).isEqualTo("SCHEDULED");
        long jobs = count("jobs");

        Response r = postJson("/api/v1/jobs/what-if", spec("probe", 0, 1, null));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Object> answer = JsonPath.read(r.body(), "$");
        assertThat(answer).containsEntry("runsNow", true).containsEntry("queuePosition", 1)
                .containsEntry("preempts", List.of()).containsEntry("waitReason", null);
        assertThat(r.body()).contains("\"placement\":[{\"taskGroup\":\"g\",\"replica\":0,\"server\":\"wi-1\","
                + "\"gpuIndices\":[3],\"milliGpuPerGpu\":1000}]");
        assertThat(count("jobs")).isEqualTo(jobs);
    }

    @Test
    void aJobThatWaitsGetsItsReasonAndTheStartOnceTheRunningJobsLimitHasPassed() {
        liveServer("wi-2", "default", 4, "H100", 64000, 262144);
        Instant before = Instant.now();
        String busy = submit(spec("busy", 0, 4, 3600));
        settle();
        assertThat(state(busy)).isEqualTo("SCHEDULED");

        Response r = postJson("/api/v1/jobs/what-if", spec("probe", 0, 2, null));
        Instant after = Instant.now();

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat((Boolean) JsonPath.read(r.body(), "$.runsNow")).isFalse();
        assertThat((String) JsonPath.read(r.body(), "$.waitReason")).isEqualTo("1 server: not enough free GPU");
        // busy has not started (no agent): the scheduler counts its hour from when it read it, between before and after
        Instant start = Instant.parse(JsonPath.read(r.body(), "$.estimatedStartAt"));
        assertThat(start).isBetween(before.plusSeconds(3600), after.plusSeconds(3600));
        assertThat((List<String>) JsonPath.read(r.body(), "$.placement[*].server")).containsExactly("wi-2");

        // the same outlook on a job that really waits, and none on a placed one
        String waiting = submit(spec("waiting", 0, 2, null));
        settle();
        Response detail = get("/api/v1/jobs/" + waiting);
        assertThat((Integer) JsonPath.read(detail.body(), "$.queuePosition")).isEqualTo(1);
        assertThat(Instant.parse(JsonPath.read(detail.body(), "$.estimatedStartAt")))
                .isBetween(before.plusSeconds(3600), Instant.now().plusSeconds(3600));
        Map<String, Object> placed = JsonPath.read(get("/api/v1/jobs/" + busy).body(), "$");
        assertThat(placed).containsEntry("queuePosition", null).containsEntry("estimatedStartAt", null);
    }

    @Test
    void anUnboundedRunningJobLeavesTheStartUnknown() {
        liveServer("wi-3", "default", 2, "H100", 64000, 262144);
        submit(spec("forever", 0, 2, null));
        settle();

        Response r = postJson("/api/v1/jobs/what-if", spec("probe", 0, 1, 600));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Object> answer = JsonPath.read(r.body(), "$");
        assertThat(answer).containsEntry("runsNow", false).containsEntry("estimatedStartAt", null)
                .containsEntry("placement", List.of());
    }

    @Test
    void aHighPriorityJobNamesTheJobsItWouldPreempt() {
        liveServer("wi-4", "default", 2, "H100", 64000, 262144);
        String low = submit(spec("low", 1, 2, null));
        settle();
        assertThat(state(low)).isEqualTo("SCHEDULED");

        Response r = postJson("/api/v1/jobs/what-if", spec("urgent", 500, 2, null));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat((Boolean) JsonPath.read(r.body(), "$.runsNow")).isFalse();
        assertThat((List<String>) JsonPath.read(r.body(), "$.preempts[*].jobId")).containsExactly(low);
        assertThat((String) JsonPath.read(r.body(), "$.waitReason")).isEqualTo("waiting for 1 preempted job(s) to stop");
        assertThat((List<String>) JsonPath.read(r.body(), "$.placement[*].server")).containsExactly("wi-4");
        assertThat(state(low)).isEqualTo("SCHEDULED"); // a question preempts nothing
    }

    @Test
    void aJobThatCouldNeverFitIsRefusedAsASubmissionWouldBe() {
        liveServer("wi-5", "default", 2, "H100", 64000, 262144);

        Response r = postJson("/api/v1/jobs/what-if", spec("huge", 0, 16, null));

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(r.body()).contains("can never fit this cluster").contains("taskGroups.g");
        Response bad = postJson("/api/v1/jobs/what-if", spec("bad", 0, -1, null));
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("taskGroups[0].gpus");
    }

    /** What-if checks an embedded training spec across its fields, as a submission does. */
    @Test
    void anEmbeddedTrainingSpecIsCheckedAcrossItsFieldsAsASubmissionWould() {
        liveServer("wi-6", "default", 2, "H100", 64000, 262144);
        String spec = """
                {"name":"csv-without-path","tenant":"t","taskGroups":[{"name":"g","replicas":1,"cpuMillis":1000,
                 "memoryMib":1024}],"runtime":{"type":"embedded","embedded":{"model":{"type":"mlp","hiddenLayers":[8]},
                 "data":{"type":"csv"},"epochs":1}}}""";

        for (String path : List.of("/api/v1/jobs/what-if", "/api/v1/jobs")) {
            Response r = postJson(path, spec);
            assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(400);
            assertThat((String) JsonPath.read(r.body(), "$.errors[0].field")).isEqualTo("runtime.embedded.data.path");
            assertThat((String) JsonPath.read(r.body(), "$.errors[0].message")).isEqualTo("required for csv data");
        }
    }
}
