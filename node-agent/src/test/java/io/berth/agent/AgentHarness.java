package io.berth.agent;


import io.berth.agent.worker.WorkerManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole agent against a control plane speaking real HTTP ({@link FakeControlPlane}): the agent under test, its
 * work directory, and what its tests share. The tests are split by subject across classes so that the test JVMs run
 * them side by side.
 */
abstract class AgentHarness {
    static final Path T4 = Path.of("..", "examples", "hardware", "gpu-4x-t4.yaml");

    @TempDir
    Path workDir;
    FakeControlPlane cp;
    Agent agent;
    Thread loop;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.shutdown();
            loop.join(30_000);
        }
        if (cp != null) {
            cp.close();
        }
    }

    void startAgent(String token, String... extraArgs) {
        startAgent(new Agent.Backoff(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(200)), token, extraArgs);
    }

    void startAgent(Agent.Backoff backoff, String token, String... extraArgs) {
        List<String> args = new java.util.ArrayList<>(List.of("--control-plane=" + cp.url(), "--name=node-1",
                "--hardware=" + T4, "--work-dir=" + workDir, "--advertise-address=10.1.2.3"));
        args.addAll(List.of(extraArgs));
        Map<String, String> env = token == null ? Map.of() : Map.of("BERTH_AGENT_TOKEN", token);
        AgentConfig config = AgentConfig.parse(args.toArray(String[]::new), env);
        agent = NodeAgent.build(config, backoff,
                new WorkerManager.Settings(Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofMillis(50)));
        loop = new Thread(agent::run, "agent-under-test");
        loop.start();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** The pid of a running process worker, from its pid file (worker ids used here are their directory names). */
    static long workerPid(Path workDir, String workerId) throws java.io.IOException {
        JsonNode pidFile = io.berth.agent.protocol.ControlPlaneClient.JSON.readTree(
                Files.readString(workDir.resolve("workers").resolve(workerId).resolve("pid.json")));
        return pidFile.get("process").get("pid").longValue();
    }

    /** Reports of a worker across all heartbeats, in order. */
    List<JsonNode> reportsOf(String workerId) {
        return cp.bodies("/heartbeat").stream()
                .flatMap(b -> java.util.stream.StreamSupport.stream(b.get("workers").spliterator(), false))
                .filter(w -> w.get("workerId").stringValue().equals(workerId))
                .toList();
    }

    boolean reported(String workerId, String state) {
        return reportsOf(workerId).stream().anyMatch(w -> w.get("state").stringValue().equals(state));
    }

    static String embeddedAssignment(String workerId, int epochs) {
        return """
                {"workerId":"%s","jobId":"job-1","jobName":"xor","attempt":1,"taskGroup":"main","replicaIndex":0,
                 "worldSize":1,"masterAddr":null,"masterPort":null,"gpuIndices":[0,1],"milliGpu":2000,"cpuMillis":4000,
                 "memoryMib":8192,"checkpointDir":"checkpoints/job-1","maxRunSeconds":null,
                 "runtime":{"type":"embedded","embedded":{
                    "model":{"type":"mlp","hiddenLayers":[16],"activation":"tanh"},
                    "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05,"seed":1},
                    "optimizer":{"type":"adam","learningRate":0.02},"batchSize":16,"epochs":%d}}}
                """.formatted(workerId, epochs);
    }
}
