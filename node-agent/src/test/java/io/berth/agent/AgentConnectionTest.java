package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The agent while the control plane is away: retries and their back-off, reconnection with its workers kept running,
 * registering again, log lines shipped exactly once.
 */
class AgentConnectionTest extends AgentHarness {
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
}
