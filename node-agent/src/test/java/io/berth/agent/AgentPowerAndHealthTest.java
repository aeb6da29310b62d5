package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the agent reports of its hardware and does with its power: GPU errors from fault files, power by the share of
 * GPUs held, the suspend command.
 */
class AgentPowerAndHealthTest extends AgentHarness {
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
        assertThat(last.get("powerState").stringValue()).isEqualTo("SUSPENDING");
        assertThat(before.stream().filter(b -> b.has("powerState")).count()).isEqualTo(1);

        Files.createFile(wake);
        await("a report after the suspend", () -> cp.bodies("/heartbeat").size() > before.size());
        JsonNode after = cp.bodies("/heartbeat").get(before.size());
        assertThat(after.has("powerState")).isFalse();
        assertThat(after.has("powerError")).isFalse();
    }

    @Test
    void withoutASuspendCommandTheAgentSaysItCannotSuspend() throws Exception {
        cp = new FakeControlPlane(null, 1);
        startAgent(null);
        await("a heartbeat", () -> !cp.bodies("/heartbeat").isEmpty());

        cp.suspendOnce();
        await("the refusal reported", () -> cp.bodies("/heartbeat").stream()
                .anyMatch(b -> b.has("powerError")));
        List<JsonNode> refusals = cp.bodies("/heartbeat").stream().filter(b -> b.has("powerError")).toList();
        assertThat(refusals).hasSize(1);
        assertThat(refusals.get(0).get("powerError").stringValue()).isEqualTo("this agent has no --suspend-command");
        assertThat(cp.bodies("/heartbeat").stream().noneMatch(b -> b.has("powerState"))).isTrue();
    }

    @Test
    void reportsPowerFromTheInventorysModelByTheShareOfGpusHeld() throws Exception {
        cp = new FakeControlPlane(null, 1);
        cp.answerRegistrationsWithPower(300, 1100);
        startAgent(null);
        // idle: 300 W, from the model (a simulated server measures nothing)
        await("a heartbeat with power", () -> cp.bodies("/heartbeat").stream().anyMatch(b -> b.has("power")));
        JsonNode first = cp.bodies("/heartbeat").stream().filter(b -> b.has("power")).findFirst().orElseThrow();
        assertThat(first.get("power").toString())
                .isEqualTo("{\"serverWatts\":300,\"source\":\"model\",\"gpuWatts\":[],\"cpuWatts\":null}");
        cp.assign("""
                {"workerId":"half","jobId":"j","jobName":"j","attempt":1,"taskGroup":"main","replicaIndex":0,"worldSize":1,
                 "gpuIndices":[0,1],"milliGpu":1000,"cpuMillis":1000,"memoryMib":100,
                 "runtime":{"type":"process","process":{"argv":["sleep","60"],"env":{},"workingDir":null}}}""");
        await("running", () -> reported("half", "RUNNING"));
        // 2 of the T4 server's 4 GPUs held: 300 + (1,100 - 300) x 0.5 = 700 W
        await("700 W reported", () -> cp.bodies("/heartbeat").stream()
                .anyMatch(b -> b.has("power") && b.get("power").get("serverWatts").intValue() == 700));
    }
}
