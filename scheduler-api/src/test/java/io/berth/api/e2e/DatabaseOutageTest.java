package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.berth.api.e2e.ControlPlaneClient.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database goes away for three heartbeat timeouts under load: a client keeps submitting jobs and reading them, two agents keep
 * heartbeating with long-running jobs on them. While it is down every API answer is a 503 problem with Retry-After
 * (never a 500); afterwards the scheduling loop resumes by itself, the running jobs were never touched (the outage
 * lasts three heartbeat timeouts), every submission that got 201 exists and runs, and none that got 503 does.
 * <p>
 * The control plane is this JVM's (the database is its embedded PostgreSQL, a process of its own): a separate control
 * plane process would add its start-up and prove nothing more, and the later test classes of the JVM then run on a
 * context that has been through an outage.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOutageTest extends ApiTestBase {
    private static final int HEARTBEAT_TIMEOUT_SECONDS = 5; // ApiTestBase's
    private static final int OUTAGE_SECONDS = 3 * HEARTBEAT_TIMEOUT_SECONDS;

    @Test
    void apiAnswers503AndEverythingResumesAfterTheDatabaseComesBack(@TempDir Path dir, CapturedOutput log) throws Exception {
        ControlPlaneClient api = new ControlPlaneClient(port, token);
        Path data = Path.of(jdbc.queryForObject("SHOW data_directory", String.class));
        try (AgentProcesses agents = new AgentProcesses(dir, port, tokens)) {
            agents.start("node-a", 2);
            agents.start("node-b", 2);
            await(Duration.ofSeconds(90), () -> api.readyServers() == 2);
            List<String> longJobs = new ArrayList<>();
            for (int i = 0; i < 4; i++) longJobs.add(submit(api, "long-" + i, 1, "exec sleep 600").body());
            List<String> longIds = longJobs.stream().map(b -> (String) JsonPath.read(b, "$.id")).toList();
            await(Duration.ofSeconds(120), () -> longIds.stream().allMatch(id -> "RUNNING".equals(api.state(id))));

            // load: submissions and reads, each answer recorded by status
            AtomicBoolean down = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> accepted = Collections.synchronizedList(new ArrayList<>());
            List<String> refused = Collections.synchronizedList(new ArrayList<>());
            Map<String, Integer> answersWhileDown = Collections.synchronizedMap(new TreeMap<>());
            List<String> badAnswers = Collections.synchronizedList(new ArrayList<>());
            Thread load = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String name = "load-" + i;
                    HttpResponse<String> r;
                    HttpResponse<String> read;
                    try {
                        r = submit(api, name, 0, "true");
                        read = api.get("/api/v1/jobs?size=5");
                    } catch (RuntimeException e) { // the control plane must keep answering throughout
                        badAnswers.add("no answer to " + name + ": " + e);
                        refused.add(name);
                        sleep(100);
                        continue;
                    }
                    for (HttpResponse<String> answer : List.of(r, read)) {
                        if (down.get()) answersWhileDown.merge(answer.statusCode() + "", 1, Integer::sum);
                        if (answer.statusCode() >= 500 && !(answer.statusCode() == 503
                                && answer.headers().firstValue("Retry-After").isPresent()
                                && answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
                                && answer.body().contains("\"status\":503")))
                            badAnswers.add(answer.statusCode() + " " + answer.headers().map() + " " + answer.body());
                    }
                    if (r.statusCode() == 201) accepted.add(name);
                    else refused.add(name);
                    sleep(100);
                }
            });
            load.start();
            sleep(2000);

            ControlPlaneProcess.StoppedDatabase outage = ControlPlaneProcess.stopDatabase(data, dir);
            down.set(true);
            sleep(OUTAGE_SECONDS * 1000L);
            down.set(false);
            outage.restart();
            sleep(5_000);
            stop.set(true);
            load.join();

            System.out.printf("outage of %d s: answers while down %s; submissions accepted %d, refused %d%n",
                    OUTAGE_SECONDS, answersWhileDown, accepted.size(), refused.size());
            assertThat(badAnswers).as(() -> "answers other than 503 problems with Retry-After; control plane errors:\n"
                    + ControlPlaneProcess.errors(log.toString())).isEmpty();
            assertThat(answersWhileDown).as("answers while the database was down").containsKey("503");
            assertThat(answersWhileDown.keySet()).as("answers while the database was down").allMatch(s ->
                    s.equals("503") || s.startsWith("2")); // 2xx only for requests that completed before the stop
            assertThat(refused).isNotEmpty();

            // nothing half-written: exactly the accepted submissions exist, and all of them run to the end
            await(Duration.ofSeconds(120), () -> loadJobStates(api).values().stream()
                    .allMatch("SUCCEEDED"::equals) && loadJobStates(api).size() == accepted.size());
            assertThat(loadJobStates(api).keySet()).containsExactlyInAnyOrderElementsOf(accepted);
            // the running work was never touched
            for (String id : longIds) {
                String body = api.get("/api/v1/jobs/" + id).body();
                assertThat((String) JsonPath.read(body, "$.state")).as(body).isEqualTo("RUNNING");
                assertThat((Integer) JsonPath.read(body, "$.attempt")).as(body).isEqualTo(1);
                assertThat((Integer) JsonPath.read(body, "$.failures")).as(body).isZero();
            }
            assertThat(log.toString()).contains("database unreachable, scheduling paused")
                    .contains("database reachable again").doesNotContain("silent for more than");
        }
    }

    private Map<String, String> loadJobStates(ControlPlaneClient api) {
        HttpResponse<String> r = api.get("/api/v1/jobs?size=500");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<Map<String, Object>> items = JsonPath.read(r.body(), "$.items[?(@.name =~ /load-.*/)]");
        Map<String, String> out = new TreeMap<>();
        for (Map<String, Object> item : items) out.put((String) item.get("name"), (String) item.get("state"));
        return out;
    }

    private static HttpResponse<String> submit(ControlPlaneClient api, String name, int gpus, String script) {
        return api.send("POST", "/api/v1/jobs", """
                {"name":"%s","tenant":"t","taskGroups":[{"name":"g","replicas":1,"cpuMillis":100,"memoryMib":64,
                 "gpus":%d}],"runtime":{"type":"process","process":{"argv":["sh","-c","%s"]}}}"""
                .formatted(name, gpus, script));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
