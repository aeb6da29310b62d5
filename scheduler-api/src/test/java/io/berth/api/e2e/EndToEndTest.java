package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole system on loopback: this control plane and three node agents as separate processes with simulated
 * hardware (2 GPUs each), talking real HTTP; embedded training workers average their models over real TCP.
 */
class EndToEndTest extends ApiTestBase {
    private static final List<String> AGENTS = List.of("node-a", "node-b", "node-c");

    @TempDir
    static Path dir;
    /** Started once for the class; an agent a test killed is started again before the next test. */
    private static AgentProcesses agents;

    /**
     * The base class empties the inventory before each test: each agent, told its server is unknown, registers it
     * again, and the test starts once all three have.
     */
    @BeforeEach
    void agentsRegistered() throws Exception {
        if (agents == null) agents = new AgentProcesses(dir, port, tokens);
        for (String name : AGENTS) {
            if (!agents.running(name)) agents.start(name, 2);
        }
        await(Duration.ofSeconds(60), () -> count("servers") == 3
                && jdbc.queryForObject("SELECT count(*) FROM servers WHERE agent_last_seen IS NOT NULL", Long.class) == 3);
    }

    @AfterAll
    static void stopAgents() {
        if (agents != null) agents.close();
        agents = null;
    }

    private String submitTraining(String name, int samples, int epochs) {
        Response r = post("/api/v1/jobs", "application/yaml", """
                name: %s
                tenant: e2e
                taskGroups:
                  - {name: trainer, replicas: 2, gangSize: 2, cpuMillis: 2000, memoryMib: 2048, gpus: 2}
                runtime:
                  type: embedded
                  embedded:
                    model: {type: mlp, hiddenLayers: [16], activation: tanh}
                    data: {type: generated, generator: blobs, samples: %d, features: 2, classes: 3, noise: 0.5, seed: 7}
                    optimizer: {type: momentum, learningRate: 0.05}
                    batchSize: 32
                    epochs: %d
                    checkpointEveryEpochs: 1
                retries: 2
                """.formatted(name, samples, epochs));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    @Test
    void twoReplicaGangTrainsToSucceededWithDecreasingLoss() throws Exception {
        String id = submitTraining("gang", 4000, 12);

        await(Duration.ofSeconds(90), () -> state(id).equals("SUCCEEDED") || state(id).equals("FAILED"));
        assertThat(state(id)).as(get("/api/v1/jobs/" + id).body()).isEqualTo("SUCCEEDED");
        // metrics are shipped by the agents alongside the heartbeats that report the final state
        await(Duration.ofSeconds(30), () -> ((List<?>) JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.metrics")).size() == 12);
        String detail = get("/api/v1/jobs/" + id).body();
        List<String> servers = JsonPath.read(detail, "$.placement[*].server");
        assertThat(servers).hasSize(2).doesNotHaveDuplicates();
        List<Number> loss = JsonPath.read(detail, "$.metrics[*].loss");
        assertThat(loss).hasSize(12);
        assertThat(loss.get(loss.size() - 1).doubleValue()).isLessThan(loss.get(0).doubleValue() * 0.8);
        assertThat((List<String>) JsonPath.read(detail, "$.events[*].to"))
                .containsExactly("QUEUED", "SCHEDULED", "RUNNING", "SUCCEEDED");
        assertThat((List<String>) JsonPath.read(get("/api/v1/jobs/" + id + "/logs").body(), "$.lines[*].text"))
                .anySatisfy(l -> assertThat(l).contains("epoch"));
        assertThat(jdbc.queryForObject("SELECT sum(used_milli) FROM accelerator_usage", Long.class)).isZero();
        Response chart = get("/api/v1/jobs/" + id + "/metrics.svg");
        assertThat(chart.headers().firstValue("Content-Type").orElseThrow()).startsWith("image/svg+xml");
        assertThat(chart.body()).contains("<polyline class=\"loss\"", "<polyline class=\"accuracy\"");
        java.util.regex.Matcher points = java.util.regex.Pattern.compile("class=\"loss\"[^>]*points=\"([^\"]*)\"")
                .matcher(chart.body());
        assertThat(points.find()).isTrue();
        assertThat(points.group(1).split(" ")).hasSize(12); // one point per epoch
    }

    @Test
    void killingAnAgentMidRunRequeuesTheJobWhichFinishesElsewhereFromItsCheckpoint() throws Exception {
        String id = submitTraining("survivor", 60000, 30);
        await(Duration.ofSeconds(60), () -> state(id).equals("RUNNING"));
        await(Duration.ofSeconds(90), () -> jdbc.queryForObject(
                "SELECT coalesce(max(epoch), 0) FROM job_metrics WHERE job_id = ?::uuid", Integer.class, id) >= 3);
        String victim = JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.placement[1].server");

        agents.kill(victim);

        await(Duration.ofSeconds(120), () -> state(id).equals("SUCCEEDED") || state(id).equals("FAILED"));
        String detail = get("/api/v1/jobs/" + id).body();
        assertThat(state(id)).as(detail).isEqualTo("SUCCEEDED");
        // the survivor may notice the lost peer before the control plane notices the silent agent; either way the
        // attempt fails and is requeued (a placement on the dead server before it is detected costs one more attempt)
        assertThat((Integer) JsonPath.read(detail, "$.attempt")).isBetween(2, 3);
        assertThat((List<String>) JsonPath.read(detail, "$.placement[*].server")).doesNotContain(victim);
        assertThat((List<String>) JsonPath.read(detail, "$.events[*].reason"))
                .anySatisfy(r -> assertThat(r).startsWith("requeued"));
        // the retry may finish on the other servers before the heartbeat timeout (5 s here) notices the silent agent
        await(Duration.ofSeconds(30), () -> "NOT_READY".equals(
                jdbc.queryForObject("SELECT state FROM servers WHERE name = ?", String.class, victim)));
        // the second attempt resumed: its first epoch is after the checkpoint, not epoch 1
        Integer firstEpochOfRetry = jdbc.queryForObject("""
                SELECT min(m.epoch) FROM job_metrics m JOIN workers w ON w.id = m.worker_id
                WHERE m.job_id = ?::uuid AND w.attempt = (SELECT attempt FROM jobs WHERE id = ?::uuid)""",
                Integer.class, id, id);
        assertThat(firstEpochOfRetry).isGreaterThan(1);
    }

    @Test
    void cancellingAJobStopsItsWorkers() throws Exception {
        Response r = postJson("/api/v1/jobs", """
                {"name":"sleeper","tenant":"e2e","taskGroups":[{"name":"w","replicas":1,"cpuMillis":500,"memoryMib":256,"gpus":1}],
                 "runtime":{"type":"process","process":{"argv":["sleep","317"]}}}""");
        String id = JsonPath.read(r.body(), "$.id");
        await(Duration.ofSeconds(60), () -> state(id).equals("RUNNING"));
        assertThat(sleepers()).isPositive();

        assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);

        await(Duration.ofSeconds(30), () -> jdbc.queryForObject(
                "SELECT state FROM workers WHERE job_id = ?::uuid", String.class, id).equals("STOPPED"));
        await(Duration.ofSeconds(30), () -> sleepers() == 0);
        assertThat(state(id)).isEqualTo("CANCELLED");
        assertThat(jdbc.queryForObject("SELECT sum(used_milli) FROM accelerator_usage", Long.class)).isZero();
    }

    private static long sleepers() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.endsWith("sleep 317")).orElse(false)).count();
    }

    private String state(String id) {
        return jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    private void await(Duration timeout, BooleanSupplier condition) throws Exception {
        agents.await(timeout, condition);
    }
}
