package io.berth.agent.worker;

import static io.berth.agent.worker.Fixtures.anAssignment;
import static io.berth.agent.worker.Fixtures.await;
import static io.berth.agent.worker.Fixtures.awaitFinal;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.Assignment;
import io.berth.agent.worker.WorkerStatus.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessWorkerTest {

    @TempDir
    Path workDir;
    Fixtures.KeepingTelemetry telemetry;
    WorkerManager manager;

    @BeforeEach
    void setUp() throws Exception {
        telemetry = new Fixtures.KeepingTelemetry();
        manager = new WorkerManager(workDir, telemetry, Fixtures.fastSettings());
    }

    @AfterEach
    void tearDown() {
        manager.stopAll("test over", java.time.Duration.ofSeconds(10));
        manager.close();
    }

    static Stream<Arguments> processes() {
        return Stream.of(
                Arguments.of("GPU indices, rank and world size",
                        anAssignment("w1").gpus(1, 3).replica(1, 2).master("10.0.0.5", 29500)
                                .process("sh", "-c", "echo $CUDA_VISIBLE_DEVICES $RANK $WORLD_SIZE").build(),
                        new WorkerStatus("w1", State.SUCCEEDED, 0, null), List.of("1,3 1 2")),
                Arguments.of("rendezvous variables and the job's env",
                        anAssignment("w2").replica(2, 4).master("10.0.0.5", 29500)
                                .process(List.of("sh", "-c", "echo $MASTER_ADDR:$MASTER_PORT $LOCAL_RANK $NODE_RANK $FOO"),
                                        Map.of("FOO", "bar"), null).build(),
                        new WorkerStatus("w2", State.SUCCEEDED, 0, null), List.of("10.0.0.5:29500 0 2 bar")),
                Arguments.of("the agent's variables win over the job's env",
                        anAssignment("w3").gpus(0).process(List.of("sh", "-c", "echo \"[$CUDA_VISIBLE_DEVICES]\""),
                                Map.of("CUDA_VISIBLE_DEVICES", "0,1,2,3"), null).build(),
                        new WorkerStatus("w3", State.SUCCEEDED, 0, null), List.of("[0]")),
                Arguments.of("CPU-only worker sees no GPU",
                        anAssignment("w4").process("sh", "-c", "echo \"[$CUDA_VISIBLE_DEVICES]\"").build(),
                        new WorkerStatus("w4", State.SUCCEEDED, 0, null), List.of("[]")),
                Arguments.of("non-zero exit code fails with that code, stderr is captured",
                        anAssignment("w5").process("sh", "-c", "echo oops >&2; exit 3").build(),
                        new WorkerStatus("w5", State.FAILED, 3, "exited with code 3"), List.of("oops")),
                Arguments.of("a last line without newline is shipped once the process ends",
                        anAssignment("w8").process("sh", "-c", "printf 'a\\nb'").build(),
                        new WorkerStatus("w8", State.SUCCEEDED, 0, null), List.of("a", "b")),
                Arguments.of("unknown program fails with 127",
                        anAssignment("w6").process("no-such-program-berth").build(),
                        new WorkerStatus("w6", State.FAILED, 127, "exited with code 127"), null),
                Arguments.of("the checkpoint directory exists and is writable when the program starts",
                        anAssignment("w9").checkpointDir("checkpoints/job-9")
                                .process("sh", "-c", "touch \"$BERTH_CHECKPOINT_DIR/step\" && echo saved").build(),
                        new WorkerStatus("w9", State.SUCCEEDED, 0, null), List.of("saved")),
                Arguments.of("runs in its own worker directory",
                        anAssignment("w7").process(List.of("sh", "-c", "mkdir -p sub && cd sub && pwd"), Map.of(), null).build(),
                        new WorkerStatus("w7", State.SUCCEEDED, 0, null), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("processes")
    void runsAProcess(String name, Assignment a, WorkerStatus expected, List<String> expectedLog) throws Exception {
        manager.start(a);

        assertThat(awaitFinal(manager, a.workerId())).isEqualTo(expected);
        if (expectedLog != null) {
            await("log lines", () -> telemetry.logsOf(a.workerId()).size() >= expectedLog.size());
            assertThat(telemetry.logsOf(a.workerId())).isEqualTo(expectedLog);
        }
    }

    @Test
    void metricLinesBecomeMetricsAndStayInTheLog() throws Exception {
        String script = "echo 'BERTH_METRIC {\"epoch\":1,\"loss\":0.9,\"accuracy\":0.5}'; "
                + "echo 'BERTH_METRIC {\"epoch\":2,\"loss\":-1}'; "
                + "echo '[default0]:BERTH_METRIC {\"epoch\":2,\"loss\":0.4,\"samplesPerSecond\":100}'";
        Assignment a = anAssignment("metrics").process("sh", "-c", script).build();
        manager.start(a);
        awaitFinal(manager, "metrics");

        await("log lines", () -> telemetry.logsOf("metrics").size() == 3);
        assertThat(telemetry.metrics).containsExactly(
                Map.entry("metrics", new io.berth.core.protocol.MetricsReport(1, 0.9, 0.5, 0.0)),
                Map.entry("metrics", new io.berth.core.protocol.MetricsReport(2, 0.4, null, 100.0)));
    }

    @Test
    void startIsIdempotentByWorkerId() throws Exception {
        Assignment a = anAssignment("once").process("sh", "-c", "echo ran").build();
        manager.start(a);
        manager.start(a);
        awaitFinal(manager, "once");
        manager.start(a);

        await("log", () -> !telemetry.logsOf("once").isEmpty());
        // and it stays one line: the later starts ran nothing
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(telemetry.logsOf("once")).containsExactly("ran"));
    }

    @Test
    void stopTerminatesTheProcessTree() throws Exception {
        manager.start(anAssignment("sleeper").process("sh", "-c", "sleep 60 & sleep 60; wait").build());
        await("two sleeps", () -> sleepers().size() == 2);
        List<ProcessHandle> tree = sleepers();

        manager.stop("sleeper", "cancelled by user");

        WorkerStatus s = awaitFinal(manager, "sleeper");
        assertThat(s.state()).isEqualTo(State.FAILED);
        assertThat(s.message()).isEqualTo("stopped: cancelled by user");
        await("sleeps gone", () -> tree.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void stopKillsTheWholeProcessGroupAlsoChildrenThatLeftTheTree() throws Exception {
        // the second sleep's parent (a subshell) exits at once, so the sleep is no descendant of the worker any more
        manager.start(anAssignment("family").process("sh", "-c",
                "sleep 1000 & echo $! > pids; (sleep 1000 & echo $! >> pids); sleep 1000 & echo $! >> pids; wait").build());
        Path dir = workDir.resolve("workers/family");
        await("three children", () -> pidsIn(dir.resolve("pids")).size() == 3);
        List<Long> children = pidsIn(dir.resolve("pids"));
        PidFile pidFile = PidFile.read(dir).orElseThrow();
        long leader = pidFile.process().pid();
        assertThat(pidFile.workerId()).isEqualTo("family");
        assertThat(pidFile.jobId()).isEqualTo("job-family");
        assertThat(pidFile.attempt()).isEqualTo(1);
        assertThat(pidFile.process().ownGroup()).isTrue();
        assertThat(pidFile.process().startTicks()).isEqualTo(ProcessIdentity.Stat.read(leader).orElseThrow().startTicks());
        assertThat(children).allSatisfy(pid -> assertThat(ProcessIdentity.Stat.read(pid).orElseThrow().pgrp())
                .as("child %d is in the worker's group", pid).isEqualTo(leader));

        manager.stop("family", "cancelled");

        assertThat(awaitFinal(manager, "family").message()).isEqualTo("stopped: cancelled");
        await("the children are gone", () -> children.stream().noneMatch(ProcessWorkerTest::running));
        assertThat(running(leader)).isFalse();
        assertThat(dir.resolve(PidFile.NAME)).as("pid file removed once the final state is persisted").doesNotExist();
    }

    @Test
    void processesLeftBehindByAFinishedProgramAreKilled() throws Exception {
        manager.start(anAssignment("leaver").process("sh", "-c", "sleep 1000 & echo $! > pids; echo done").build());

        assertThat(awaitFinal(manager, "leaver")).isEqualTo(new WorkerStatus("leaver", State.SUCCEEDED, 0, null));
        List<Long> left = pidsIn(workDir.resolve("workers/leaver/pids"));
        assertThat(left).hasSize(1);
        await("the background sleep is gone", () -> left.stream().noneMatch(ProcessWorkerTest::running));
    }

    /** True while the process runs (not gone, not a zombie waiting to be reaped). */
    static boolean running(long pid) {
        return ProcessIdentity.Stat.read(pid).filter(ProcessIdentity.Stat::running).isPresent();
    }

    static List<Long> pidsIn(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty())
                    .map(Long::parseLong).toList() : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    void stopKillsAProcessThatIgnoresSigtermAfterTheGracePeriod() throws Exception {
        manager.start(anAssignment("stubborn").process("sh", "-c", "trap '' TERM; sleep 60").build());
        await("sleep started", () -> sleepers().size() == 1);
        List<ProcessHandle> tree = sleepers();

        manager.stop("stubborn", "cancelled");

        assertThat(awaitFinal(manager, "stubborn").message()).isEqualTo("stopped: cancelled");
        await("sleep killed", () -> tree.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void maxRunSecondsStopsTheWorker() throws Exception {
        manager.start(anAssignment("slow").maxRunSeconds(1).process("sleep", "60").build());

        WorkerStatus s = awaitFinal(manager, "slow");

        assertThat(s.state()).isEqualTo(State.FAILED);
        assertThat(s.message()).isEqualTo("stopped: exceeded maxRunSeconds=1");
    }

    @Test
    void finishedWorkersAreReportedUntilAcknowledgedThenForgotten() throws Exception {
        manager.start(anAssignment("done").process("true").build());
        awaitFinal(manager, "done");

        var first = manager.reports();
        assertThat(manager.reports()).isEqualTo(first);
        assertThat(first).extracting(r -> r.workerId() + "=" + r.state()).containsExactly("done=SUCCEEDED");

        manager.acknowledge(first);

        assertThat(manager.reports()).isEmpty();
        manager.start(anAssignment("done").process("true").build());
        assertThat(manager.reports()).isEmpty();
        assertThat(Files.readString(workDir.resolve("workers.json"))).doesNotContain("\"done\"");
    }

    /** sleep processes below this JVM (the workers' trees). */
    private static List<ProcessHandle> sleepers() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .toList();
    }
}
