package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.worker.WorkerManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The whole agent against a control plane speaking real HTTP. */
class AgentTest {
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

    private void startAgent(String token, String... extraArgs) {
        startAgent(new Agent.Backoff(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(200)), token, extraArgs);
    }

    private void startAgent(Agent.Backoff backoff, String token, String... extraArgs) {
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
    private List<JsonNode> reportsOf(String workerId) {
        return cp.bodies("/heartbeat").stream()
                .flatMap(b -> java.util.stream.StreamSupport.stream(b.get("workers").spliterator(), false))
                .filter(w -> w.get("workerId").stringValue().equals(workerId))
                .toList();
    }

    private boolean reported(String workerId, String state) {
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

    @Test
    void registersHeartbeatsRunsAnEmbeddedWorkerAndReportsItsResults() throws Exception {
        cp = new FakeControlPlane("s3cret", 1);
        startAgent("s3cret");
        await("registration", () -> !cp.bodies("/register").isEmpty());

        cp.assign(embeddedAssignment("w-1", 12));
        await("SUCCEEDED reported", () -> reported("w-1", "SUCCEEDED"));
        await("12 metrics", () -> cp.bodies("/workers/w-1/metrics").size() == 12);
        await("log shipped", () -> cp.bodies("/workers/w-1/logs").stream()
                .anyMatch(b -> b.get("lines").toString().contains("training finished")));

        JsonNode reg = cp.bodies("/register").get(0);
        assertThat(reg.get("name").stringValue()).isEqualTo("node-1");
        assertThat(reg.get("rack").stringValue()).isEqualTo("r2");
        assertThat(reg.get("address").stringValue()).isEqualTo("10.1.2.3");
        assertThat(reg.get("cpuMillis").longValue()).isEqualTo(48000);
        assertThat(reg.get("memoryMib").longValue()).isEqualTo(196608);
        assertThat(reg.get("networkMbps").longValue()).isEqualTo(25000);
        assertThat(reg.get("labels").get("gpu-family").stringValue()).isEqualTo("turing");
        assertThat(reg.get("accelerators")).hasSize(4);
        assertThat(reg.get("accelerators").get(2).toString()).isEqualTo(
                "{\"index\":2,\"kind\":\"GPU\",\"vendor\":\"NVIDIA\",\"model\":\"Tesla T4\",\"memoryMib\":15360,"
                        + "\"interconnectDomain\":\"pcie-1\",\"health\":\"HEALTHY\"}");
        assertThat(reg.get("localDevices").get(1).toString()).isEqualTo(
                "{\"name\":\"hdd0\",\"medium\":\"HDD\",\"capacityGib\":8000,\"readMbPerSec\":250,\"writeMbPerSec\":240}");
        assertThat(reg.get("runningWorkerIds")).isEmpty();

        JsonNode metrics = cp.bodies("/workers/w-1/metrics").get(11);
        assertThat(metrics.get("epoch").intValue()).isEqualTo(12);
        assertThat(metrics.get("accuracy").doubleValue()).isGreaterThan(0.85);
        assertThat(metrics.get("samplesPerSecond").doubleValue()).isPositive();
        assertThat(metrics.get("loss").doubleValue()).isLessThan(cp.bodies("/workers/w-1/metrics").get(0).get("loss").doubleValue());

        JsonNode finished = reportsOf("w-1").get(reportsOf("w-1").size() - 1);
        assertThat(finished.toString()).isEqualTo("{\"workerId\":\"w-1\",\"state\":\"SUCCEEDED\",\"exitCode\":null,\"message\":null}");
        JsonNode someHeartbeat = cp.bodies("/heartbeat").get(0);
        assertThat(someHeartbeat.get("acceleratorHealth")).hasSize(4);
        assertThat(someHeartbeat.get("usage").has("cpuMillisUsed")).isTrue();

        // delivered once successfully, then forgotten
        int heartbeatsSoFar = cp.bodies("/heartbeat").size();
        await("two more heartbeats", () -> cp.bodies("/heartbeat").size() >= heartbeatsSoFar + 2);
        long succeededReports = reportsOf("w-1").stream().filter(w -> w.get("state").stringValue().equals("SUCCEEDED")).count();
        assertThat(succeededReports).isEqualTo(1);
        assertThat(workDir.resolve("checkpoints/job-1/replica-0.ckpt")).exists();
    }

    /** Errors of all heartbeats, as "index errorClass" strings, in order. */
    private List<String> reportedErrors() {
        return cp.bodies("/heartbeat").stream()
                .flatMap(b -> java.util.stream.StreamSupport.stream(b.get("errors").spliterator(), false))
                .map(e -> e.get("index").intValue() + " " + e.get("errorClass").stringValue())
                .toList();
    }

    @Test
    void aSimulatedAgentReportsTheGpuErrorsWrittenToItsFaultFilesOnce() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        await("a heartbeat", () -> !cp.bodies("/heartbeat").isEmpty());
        assertThat(reportedErrors()).isEmpty();

        // the T4s are on PCI buses 01-04 (index + 1, no pciBusId in the hardware file): 03:00 is index 2
        Path faults = Files.createDirectories(workDir.resolve("faults"));
        Files.writeString(faults.resolve("kern.log"), "Oct 10 19:22:30 node-1 kernel: [19223.785512] NVRM: Xid "
                + "(PCI:0000:03:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.\n");
        await("XID 79 reported", () -> reportedErrors().contains("2 xid79"));
        JsonNode error = cp.bodies("/heartbeat").stream().filter(b -> !b.get("errors").isEmpty()).findFirst()
                .orElseThrow().get("errors").get(0);
        assertThat(error.get("message").stringValue()).isEqualTo("XID 79 (GPU has fallen off the bus) on PCI "
                + "0000:03:00: pid='<unknown>', name=<unknown>, GPU has fallen off the bus.");

        // nvidia-smi cannot reach GPU 3 any more: an error once, and UNHEALTHY with the reason while it lasts
        Files.writeString(faults.resolve("nvidia-smi-q.txt"),
                "Unable to determine the device handle for GPU 0000:04:00.0: GPU is lost.  Reboot the system to recover this GPU\n");
        await("the lost GPU reported", () -> reportedErrors().contains("3 gpu-lost"));
        int heartbeatsSoFar = cp.bodies("/heartbeat").size();
        await("two more heartbeats", () -> cp.bodies("/heartbeat").size() >= heartbeatsSoFar + 2);
        assertThat(reportedErrors()).containsExactly("2 xid79", "3 gpu-lost"); // each delivered once
        JsonNode last = cp.bodies("/heartbeat").get(cp.bodies("/heartbeat").size() - 1);
        assertThat(last.get("acceleratorHealth").get(3).toString()).isEqualTo("{\"index\":3,\"health\":\"UNHEALTHY\","
                + "\"reason\":\"nvidia-smi cannot reach the GPU: GPU is lost.  Reboot the system to recover this GPU\"}");
        assertThat(last.get("acceleratorHealth").get(2).get("health").stringValue()).isEqualTo("HEALTHY");
    }

    /**
     * The suspend command stands for a machine that sleeps: it blocks until the test wakes it. The agent says
     * SUSPENDING first, is silent while the command runs, and reports at once when it returns.
     */
    @Test
    void runsTheSuspendCommandWhenToldAndReportsWhenItReturns() throws Exception {
        cp = new FakeControlPlane(null, 1);
        Path asleep = workDir.resolve("asleep");
        Path wake = workDir.resolve("wake");
        startAgent((String) null, "--suspend-command=touch " + asleep + "; while [ ! -e " + wake + " ]; do sleep 0.05; done");
        await("a heartbeat", () -> !cp.bodies("/heartbeat").isEmpty());

        cp.suspendOnce();
        await("the suspend command runs", () -> Files.exists(asleep));
        List<JsonNode> before = cp.bodies("/heartbeat");
        JsonNode last = before.get(before.size() - 1);
        assertThat(last.get("power").stringValue()).isEqualTo("SUSPENDING");
        assertThat(before.stream().filter(b -> !b.get("power").isNull()).count()).isEqualTo(1);

        Files.createFile(wake);
        await("a report after the suspend", () -> cp.bodies("/heartbeat").size() > before.size());
        JsonNode after = cp.bodies("/heartbeat").get(before.size());
        assertThat(after.get("power").isNull()).isTrue();
        assertThat(after.get("powerError").isNull()).isTrue();
    }

    @Test
    void withoutASuspendCommandTheAgentSaysItCannotSuspend() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        await("a heartbeat", () -> !cp.bodies("/heartbeat").isEmpty());

        cp.suspendOnce();
        await("the refusal reported", () -> cp.bodies("/heartbeat").stream()
                .anyMatch(b -> !b.get("powerError").isNull()));
        List<JsonNode> refusals = cp.bodies("/heartbeat").stream().filter(b -> !b.get("powerError").isNull()).toList();
        assertThat(refusals).hasSize(1);
        assertThat(refusals.get(0).get("powerError").stringValue()).isEqualTo("this agent has no --suspend-command");
        assertThat(cp.bodies("/heartbeat").stream().allMatch(b -> b.get("power").isNull())).isTrue();
    }

    @Test
    void keepsRetryingWhileTheControlPlaneIsDown() throws Exception {
        cp = new FakeControlPlane(null, 1);
        cp.failNextRequests(5);
        startAgent(null);

        await("registration after the outage", () -> !cp.bodies("/register").isEmpty());
        await("a heartbeat", () -> !cp.bodies("/heartbeat").isEmpty());

        // the five 503s were answered, one per attempt, before the registration got through
        assertThat(cp.rejectedRequests()).isEqualTo(5);
        assertThat(agent.failedCalls()).isEqualTo(5);
    }

    @Test
    void reconnectsAsSoonAsTheControlPlaneListensAgainAndKeepsItsWorkersRunning() throws Exception {
        cp = new FakeControlPlane(null, 1);
        // without the cap for refused connections the pauses would double up to an hour: 100 ms, 200 ms, 400 ms, ...,
        // so the 15th attempt would come 100 ms * (2^14 - 1) = 27 min after the first, far beyond what the waits
        // below allow; with the cap it comes after about 14 * 200 ms
        startAgent(new Agent.Backoff(Duration.ofMillis(100), Duration.ofHours(1), Duration.ofMillis(200)), null);
        cp.assign("""
                {"workerId":"steady","jobId":"j","jobName":"j","attempt":1,"taskGroup":"main","replicaIndex":0,"worldSize":1,
                 "gpuIndices":[],"milliGpu":0,"cpuMillis":100,"memoryMib":10,
                 "runtime":{"type":"process","process":{"argv":["sleep","1000"]}}}""");
        await("running", () -> reported("steady", "RUNNING"));
        long pid = workerPid(workDir, "steady");

        cp.down();
        long failedBefore = agent.failedCalls();
        await("15 refused attempts", () -> agent.failedCalls() >= failedBefore + 15);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the worker runs on while the control plane is away")
                .contains(true);
        int heartbeatsBefore = cp.bodies("/heartbeat").size();
        long failedWhileDown = agent.failedCalls();
        cp.up();

        await("a heartbeat after the control plane is back", () -> cp.bodies("/heartbeat").size() > heartbeatsBefore);
        // at most the attempt that was under way when the port opened failed; the next one got through
        assertThat(agent.failedCalls()).isLessThanOrEqualTo(failedWhileDown + 1);
        JsonNode firstBack = cp.bodies("/heartbeat").get(heartbeatsBefore);
        assertThat(firstBack.get("workers").toString())
                .isEqualTo("[{\"workerId\":\"steady\",\"state\":\"RUNNING\",\"exitCode\":null,\"message\":null}]");
        assertThat(cp.bodies("/register")).as("the control plane kept the agent: no new registration").hasSize(1);
    }

    /** Pauses before each retry for a run of failures (true = connection refused), with the default policy. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("failureRuns")
    void backoffPauses(String name, List<Boolean> refused, List<Long> expectedPausesMillis) {
        Agent.Backoff b = Agent.Backoff.defaults();
        List<Long> pauses = new java.util.ArrayList<>();
        long delay = b.initial().toMillis();
        for (boolean r : refused) {
            pauses.add(b.pauseMillis(delay, r));
            delay = b.nextDelayMillis(delay);
        }
        assertThat(pauses).isEqualTo(expectedPausesMillis);
    }

    static java.util.stream.Stream<Arguments> failureRuns() {
        return java.util.stream.Stream.of(
                // 1 s doubling, capped at 30 s
                Arguments.of("errors back off to 30 s", List.of(false, false, false, false, false, false, false),
                        List.of(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L)),
                // min(delay, 2 s)
                Arguments.of("refused connections are retried every 2 s at most", List.of(true, true, true, true, true),
                        List.of(1000L, 2000L, 2000L, 2000L, 2000L)),
                // a reset long poll (1 s), then the port is closed while the control plane restarts
                Arguments.of("a long outage of errors, then refused", List.of(false, false, false, false, false, true, true),
                        List.of(1000L, 2000L, 4000L, 8000L, 16000L, 2000L, 2000L)));
    }

    @Test
    void registersAgainWhenTheControlPlaneForgetsTheAgent() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        await("first heartbeat", () -> !cp.bodies("/heartbeat").isEmpty());

        cp.forgetAgents();

        await("second registration", () -> cp.bodies("/register").size() == 2);
    }

    @Test
    void stopsAWorkerWhenTheControlPlaneSaysSo() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        cp.assign("""
                {"workerId":"sleepy","jobId":"j","jobName":"j","attempt":1,"taskGroup":"main","replicaIndex":0,"worldSize":1,
                 "gpuIndices":[3],"milliGpu":1000,"cpuMillis":1000,"memoryMib":100,
                 "runtime":{"type":"process","process":{"argv":["sleep","60"],"env":{},"workingDir":null}}}""");
        await("running", () -> reported("sleepy", "RUNNING"));

        cp.stop("sleepy");

        await("stopped", () -> reported("sleepy", "FAILED"));
        JsonNode last = reportsOf("sleepy").get(reportsOf("sleepy").size() - 1);
        assertThat(last.get("message").stringValue()).isEqualTo("stopped: stopped by the control plane");
        JsonNode usage = cp.bodies("/heartbeat").stream()
                .filter(b -> b.get("workers").toString().contains("RUNNING")).findFirst().orElseThrow().get("usage");
        assertThat(usage.toString()).isEqualTo("{\"cpuMillisUsed\":1000,\"memoryMibUsed\":100}");
    }

    @Test
    void shipsEveryLogLineExactlyOnceAcrossAControlPlaneOutage() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        cp.assign("""
                {"workerId":"chatty","jobId":"j","jobName":"j","attempt":1,"taskGroup":"main","replicaIndex":0,"worldSize":1,
                 "gpuIndices":[],"milliGpu":0,"cpuMillis":100,"memoryMib":10,
                 "runtime":{"type":"process","process":{"argv":["sh","-c","echo one; echo two; sleep 1; echo three; sleep 1"]}}}""");
        await("running", () -> reported("chatty", "RUNNING"));

        cp.failNextRequests(6);

        await("finished", () -> reported("chatty", "SUCCEEDED"));
        await("last line", () -> logLines("chatty").contains("three"));
        assertThat(logLines("chatty")).containsExactly("one", "two", "three");
    }

    private List<String> logLines(String workerId) {
        return cp.bodies("/workers/" + workerId + "/logs").stream()
                .flatMap(b -> java.util.stream.StreamSupport.stream(b.get("lines").spliterator(), false))
                .map(JsonNode::stringValue)
                .toList();
    }

    @Test
    void twoAgentsTrainOneJobWithTwoReplicas() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        Agent first = agent;
        Thread firstLoop = loop;
        Path otherWork = Files.createDirectories(workDir.resolve("second"));
        AgentConfig second = AgentConfig.parse(new String[] {"--control-plane=" + cp.url(), "--name=node-2",
                "--hardware=" + T4, "--work-dir=" + otherWork, "--advertise-address=127.0.0.1"}, Map.of());
        Agent other = NodeAgent.build(second, new Agent.Backoff(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(200)),
                new WorkerManager.Settings(Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofMillis(50)));
        Thread otherLoop = new Thread(other::run, "second-agent");
        otherLoop.start();
        try {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            // the fake control plane serves every pending assignment to every agent; each agent only gets its own here
            String spec = """
                    {"model":{"type":"mlp","hiddenLayers":[16],"activation":"tanh"},
                     "data":{"type":"generated","generator":"xor","samples":400,"noise":0.05},
                     "optimizer":{"type":"adam","learningRate":0.02},"batchSize":16,"epochs":15}""";
            String template = """
                    {"workerId":"%s","jobId":"dp","jobName":"dp","attempt":1,"taskGroup":"main","replicaIndex":%d,
                     "worldSize":2,"masterAddr":"127.0.0.1","masterPort":%d,"gpuIndices":[%d],"milliGpu":1000,
                     "cpuMillis":1000,"memoryMib":100,"checkpointDir":"ckpt/dp","runtime":{"type":"embedded","embedded":%s}}""";
            cp.assignTo("node-1", template.formatted("dp-0", 0, port, 0, spec));
            cp.assignTo("node-2", template.formatted("dp-1", 1, port, 3, spec));

            await("both replicas succeeded", () -> reported("dp-0", "SUCCEEDED") && reported("dp-1", "SUCCEEDED"));
            await("metrics", () -> cp.bodies("/node-1/workers/dp-0/metrics").size() == 15
                    && cp.bodies("/node-2/workers/dp-1/metrics").size() == 15);
            assertThat(cp.bodies("/node-2/workers/dp-1/metrics").get(14).get("accuracy").doubleValue()).isGreaterThan(0.85);
            assertThat(workDir.resolve("ckpt/dp/replica-0.ckpt")).exists();
            assertThat(otherWork.resolve("ckpt/dp/replica-1.ckpt")).exists();
        } finally {
            other.shutdown();
            otherLoop.join(30_000);
            agent = first;
            loop = firstLoop;
        }
    }

    @Test
    void rejectsAnAssignmentForAGpuThisServerDoesNotHave() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        cp.assign("""
                {"workerId":"nope","jobId":"j","jobName":"j","attempt":1,"taskGroup":"main","replicaIndex":0,"worldSize":1,
                 "gpuIndices":[7],"milliGpu":1000,"cpuMillis":1000,"memoryMib":100,
                 "runtime":{"type":"process","process":{"argv":["true"]}}}""");

        await("rejected", () -> reported("nope", "FAILED"));

        assertThat(reportsOf("nope").get(0).get("message").stringValue())
                .isEqualTo("cannot start: accelerator index 7 is not on this server (indices [0, 1, 2, 3])");
    }

    @Test
    void afterARestartReportsTheLostWorkerAndTheShutdownStopsRunningOnes() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        cp.assign(embeddedAssignment("long-1", 1_000_000));
        await("training", () -> !cp.bodies("/workers/long-1/metrics").isEmpty());
        // simulate a crash: a copy of workers.json as it is while the worker runs
        Path snapshot = Files.copy(workDir.resolve("workers.json"), workDir.resolve("workers.json.before-crash"));
        agent.shutdown();
        loop.join(30_000);
        assertThat(reported("long-1", "FAILED")).as("the graceful shutdown reports the stopped worker").isTrue();

        Files.move(snapshot, workDir.resolve("workers.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int before = cp.bodies("/heartbeat").size();
        startAgent(null);

        await("a heartbeat of the new agent", () -> cp.bodies("/heartbeat").size() > before);
        JsonNode report = cp.bodies("/heartbeat").get(before).get("workers").get(0);
        assertThat(report.toString()).isEqualTo("{\"workerId\":\"long-1\",\"state\":\"FAILED\",\"exitCode\":null,"
                + "\"message\":\"lost: embedded worker died with the previous agent process\"}");
        assertThat(cp.bodies("/register").get(1).get("runningWorkerIds")).isEmpty();
    }
}
