package io.berth.api.jobs;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.scheduling.SchedulingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hold, release and requeue (Slurm's scontrol hold / release / requeue), jobs listed by name, and logs as plain text,
 * followed until the job ends.
 */
class JobControlTest extends ApiTestBase {
    @Autowired
    SchedulingLoop loop;

    /** One 1-GPU server, not schedulable until {@link #live()} (no agent heartbeats in these tests). */
    @org.junit.jupiter.api.BeforeEach
    void server() {
        Response r = postJson("/api/v1/servers", "{\"name\":\"gpu-1\",\"cpuMillis\":64000,\"memoryMib\":262144,"
                + "\"accelerators\":[{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private void live() {
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day', agent_address = 'localhost' "
                + "WHERE name = 'gpu-1'");
    }

    private String submit(String name, int gpus) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":1,\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"sleep\",\"600\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private String state(String id) {
        return JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.state");
    }

    /** Puts the job in {@code state} through the API (and the scheduler, for SCHEDULED). */
    private void bring(String id, String state) {
        switch (state) {
            case "QUEUED" -> {
            }
            case "HELD" -> assertThat(postJson("/api/v1/jobs/" + id + "/hold", "").status()).isEqualTo(200);
            case "SCHEDULED" -> {
                live();
                for (int i = 0; i < 3 && !state(id).equals("SCHEDULED"); i++) loop.cycle();
            }
            case "CANCELLED" -> assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);
            default -> throw new IllegalArgumentException(state);
        }
        assertThat(state(id)).isEqualTo(state);
    }

    @ParameterizedTest(name = "{1} of a {0} job: {2} -> {3}")
    @CsvSource({
            // from,     action,   status, state after
            "QUEUED,    hold,     200,    HELD",
            "QUEUED,    release,  409,    QUEUED",
            "QUEUED,    requeue,  409,    QUEUED",
            "HELD,      hold,     409,    HELD",
            "HELD,      release,  200,    QUEUED",
            "HELD,      requeue,  409,    HELD",
            "SCHEDULED, hold,     409,    SCHEDULED",
            "SCHEDULED, requeue,  200,    QUEUED",
            "CANCELLED, release,  409,    CANCELLED",
            "CANCELLED, requeue,  200,    QUEUED"})
    void controlRequestsFollowTheStateMachine(String from, String action, int status, String after) {
        String id = submit("j", 1);
        bring(id, from);
        Response r = postJson("/api/v1/jobs/" + id + "/" + action, "");
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        if (status == 409) {
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            assertThat((String) JsonPath.read(r.body(), "$.detail")).contains("is " + from + ": only a");
        } else {
            assertThat((String) JsonPath.read(r.body(), "$.state")).isEqualTo(after);
        }
        assertThat(state(id)).isEqualTo(after);
    }

    @Test
    void aHeldJobIsNotScheduledUntilReleased() {
        String id = submit("held", 1);
        bring(id, "HELD");
        live();
        for (int i = 0; i < 3; i++) loop.cycle();
        assertThat(state(id)).isEqualTo("HELD");
        assertThat(count("workers")).isZero();

        assertThat(postJson("/api/v1/jobs/" + id + "/release", "").status()).isEqualTo(200);
        for (int i = 0; i < 3 && !state(id).equals("SCHEDULED"); i++) loop.cycle();
        assertThat(state(id)).isEqualTo("SCHEDULED");
        List<String> events = JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.events[*].reason");
        assertThat(events).contains("held by test-admin", "released by test-admin");
    }

    @Test
    void requeueOfAPlacedJobStopsItsWorkerAndChargesNoRetry() {
        String id = submit("placed", 1);
        bring(id, "SCHEDULED");
        assertThat(postJson("/api/v1/jobs/" + id + "/requeue", "").status()).isEqualTo(200);
        assertThat(jdbc.queryForList("SELECT state FROM workers WHERE job_id = ?::uuid", String.class, id))
                .containsExactly("STOPPING");
        assertThat(jdbc.queryForObject("SELECT failures FROM jobs WHERE id = ?::uuid", Integer.class, id)).isZero();
    }

    @Test
    void listsByNameNewestFirstWithGpusAndServers() {
        String older = submit("sweep", 1);
        String other = submit("other", 0);
        String newer = submit("sweep", 1);
        bring(older, "SCHEDULED");
        Response r = get("/api/v1/jobs?name=sweep");
        assertThat(r.status()).isEqualTo(200);
        assertThat(JsonPath.<List<String>>read(r.body(), "$.items[*].id")).containsExactly(newer, older);
        assertThat(JsonPath.<List<Object>>read(r.body(), "$.items[*].gpuMilli")).containsExactly(1000, 1000);
        assertThat(JsonPath.<List<Object>>read(r.body(), "$.items[*].servers")).containsExactly(List.of(), List.of("gpu-1"));
        assertThat(JsonPath.<Integer>read(r.body(), "$.total")).isEqualTo(2);
        assertThat(JsonPath.<List<String>>read(get("/api/v1/jobs?name=other&tenant=t").body(), "$.items[*].id"))
                .containsExactly(other);
        assertThat(JsonPath.<List<String>>read(get("/api/v1/jobs?name=nope").body(), "$.items")).isEmpty();
        // several states: any of them
        assertThat(JsonPath.<List<String>>read(get("/api/v1/jobs?name=sweep&state=HELD,SCHEDULED").body(),
                "$.items[*].id")).containsExactly(older);
        assertThat(JsonPath.<List<String>>read(get("/api/v1/jobs?name=sweep&state=QUEUED&state=SCHEDULED").body(),
                "$.items[*].id")).containsExactly(newer, older);
    }

    private void report(String server, String workerId, String state) {
        Response hb = postJson("/api/v1/agents/" + server + "/heartbeat", "{\"workers\":[{\"workerId\":\""
                + workerId + "\",\"state\":\"" + state + "\",\"exitCode\":0}]}");
        assertThat(hb.status()).as(hb.body()).isEqualTo(200);
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day' WHERE name = ?", server);
    }

    private void log(String server, String workerId, String... lines) {
        StringBuilder json = new StringBuilder("{\"lines\":[");
        for (int i = 0; i < lines.length; i++) json.append(i == 0 ? "" : ",").append('"').append(lines[i]).append('"');
        Response r = postJson("/api/v1/agents/" + server + "/workers/" + workerId + "/logs", json.append("]}").toString());
        assertThat(r.status()).as(r.body()).isLessThan(300);
    }

    @Test
    void logsAsTextFollowedUntilTheJobEnds() throws Exception {
        String id = submit("talker", 1);
        bring(id, "SCHEDULED");
        Map<String, Object> w = jdbc.queryForMap("SELECT w.id::text AS id, s.name AS server FROM workers w "
                + "JOIN servers s ON s.id = w.server_id WHERE w.job_id = ?::uuid", id);
        String worker = (String) w.get("id");
        report("gpu-1", worker, "RUNNING");
        log("gpu-1", worker, "epoch 1", "epoch 2");

        Response plain = send(HttpRequest.newBuilder(uri("/api/v1/jobs/" + id + "/logs")).header("Accept", "text/plain"));
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(plain.body()).isEqualTo("epoch 1\nepoch 2\n");
        // the JSON pages stay what they were for clients that do not ask for text
        Response json = send(HttpRequest.newBuilder(uri("/api/v1/jobs/" + id + "/logs")).header("Accept", "*/*"));
        assertThat(JsonPath.<List<String>>read(json.body(), "$.lines[*].text")).containsExactly("epoch 1", "epoch 2");

        List<String> followed = new CopyOnWriteArrayList<>();
        HttpRequest follow = HttpRequest.newBuilder(uri("/api/v1/jobs/" + id + "/logs?follow=true&prefix=true"))
                .header("Accept", "text/plain").header("Authorization", "Bearer " + token).build();
        CompletableFuture<Integer> done = CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<java.io.InputStream> r = HTTP.send(follow, HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) followed.add(line);
                }
                return r.statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> followed.size() == 2);
        assertThat(done).isNotDone(); // the job runs: the answer stays open
        log("gpu-1", worker, "epoch 3");
        await().atMost(Duration.ofSeconds(20)).until(() -> followed.size() == 3);
        log("gpu-1", worker, "done");
        report("gpu-1", worker, "SUCCEEDED");
        assertThat(done.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(followed).containsExactly("[rank 0] epoch 1", "[rank 0] epoch 2", "[rank 0] epoch 3", "[rank 0] done");
    }

    @Test
    void textLogsOfAnUnknownJobAreProblemDetails() {
        Response r = send(HttpRequest.newBuilder(uri("/api/v1/jobs/" + java.util.UUID.randomUUID() + "/logs?follow=true"))
                .header("Accept", "text/plain"));
        assertThat(r.status()).isEqualTo(404);
        assertThat((String) JsonPath.read(r.body(), "$.title")).isNotBlank();
    }
}
