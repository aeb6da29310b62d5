package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.worker.WorkerManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The whole agent against a control plane speaking real HTTP: registration, workers started, stopped and reported, a
 * gang across two agents, a restart.
 */
class AgentTest extends AgentHarness {
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
