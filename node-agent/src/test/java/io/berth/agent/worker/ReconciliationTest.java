package io.berth.agent.worker;

import static io.berth.agent.worker.Fixtures.anAssignment;
import static io.berth.agent.worker.Fixtures.await;
import static io.berth.agent.worker.Fixtures.awaitFinal;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.ReportedState;
import io.berth.core.protocol.WorkerReport;
import io.berth.agent.worker.WorkerStatus.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a restarted agent finds in workers.json and reports. */
class ReconciliationTest {

    @TempDir
    Path workDir;

    /** A pid that is certainly not running: a finished child of this JVM. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    static Stream<Arguments> leftovers() throws Exception {
        long dead = deadPid();
        return Stream.of(
                Arguments.of("embedded worker died with the JVM",
                        new WorkerRecord(anAssignment("e1").embedded("{}").build(), "embedded", null, null, null, null, null), null,
                        new WorkerReport("e1", ReportedState.FAILED, null, "lost: embedded worker died with the previous agent process")),
                Arguments.of("process gone without an exit code",
                        new WorkerRecord(anAssignment("p1").process("x").build(), "process", dead, 1L, null, null, null), null,
                        new WorkerReport("p1", ReportedState.FAILED, null, "lost: process is gone after an agent restart and its exit code is unknown")),
                Arguments.of("process finished successfully while the agent was down",
                        new WorkerRecord(anAssignment("p2").process("x").build(), "process", dead, 1L, null, null, null), "0\n",
                        new WorkerReport("p2", ReportedState.SUCCEEDED, 0, null)),
                Arguments.of("process failed while the agent was down",
                        new WorkerRecord(anAssignment("p3").process("x").build(), "process", dead, 1L, null, null, null), "2\n",
                        new WorkerReport("p3", ReportedState.FAILED, 2, "exited with code 2")),
                Arguments.of("final state not yet delivered before the restart",
                        new WorkerRecord(anAssignment("p4").process("x").build(), "process", dead, 1L, "SUCCEEDED", 0, null), null,
                        new WorkerReport("p4", ReportedState.SUCCEEDED, 0, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leftovers")
    void reportsWorkersThatDidNotSurviveTheRestart(String name, WorkerRecord left, String exitCodeFile, WorkerReport expected)
            throws Exception {
        new WorkerStore(workDir).save(List.of(left));
        if (exitCodeFile != null) {
            Path dir = Files.createDirectories(workDir.resolve("workers").resolve(left.workerId()));
            Files.writeString(dir.resolve("exit-code"), exitCodeFile);
        }
        try (WorkerManager restarted = new WorkerManager(workDir, new Fixtures.KeepingTelemetry(), Fixtures.fastSettings())) {
            assertThat(restarted.reconcile()).isEmpty();
            assertThat(restarted.reports()).containsExactly(expected);
        }
    }

    @Test
    void aRestartedAgentReattachesToAProcessStillRunningAndReportsTheLostEmbeddedOne() throws Exception {
        Fixtures.KeepingTelemetry telemetry = new Fixtures.KeepingTelemetry();
        WorkerManager before = new WorkerManager(workDir, telemetry, Fixtures.fastSettings());
        before.start(anAssignment("proc").process("sh", "-c", "echo started; sleep 60").build());
        before.start(anAssignment("emb").embedded(EmbeddedWorkerTest.XOR.formatted(1_000_000)).build());
        await("log shipped", () -> telemetry.logsOf("proc").contains("started"));
        before.close(); // the agent "crashes": nothing is stopped, workers.json stays as it is

        WorkerManager after = new WorkerManager(workDir, telemetry, Fixtures.fastSettings());
        try {
            assertThat(after.reconcile()).containsExactly("proc");
            assertThat(after.reports()).containsExactlyInAnyOrder(
                    new WorkerReport("proc", ReportedState.RUNNING, null, null),
                    new WorkerReport("emb", ReportedState.FAILED, null, "lost: embedded worker died with the previous agent process"));

            after.stop("proc", "cancelled");

            assertThat(awaitFinal(after, "proc")).isEqualTo(new WorkerStatus("proc", State.FAILED, 143, "stopped: cancelled"));
            Thread.sleep(200);
            // the restarted agent continues shipping where the previous one stopped: no line twice
            assertThat(telemetry.logsOf("proc")).startsWith("started").containsOnlyOnce("started");
        } finally {
            after.close();
            // the in-JVM embedded worker of "before"; only it: "before"'s watcher of "proc" was closed with it, so a
            // stopAll would wait its whole grace for a process that "after" has already stopped
            before.stop("emb", "test over");
            awaitFinal(before, "emb");
        }
    }

    @Test
    void aPidFileWhosePidNowNamesAnotherProcessIsNeitherAdoptedNorKilled() throws Exception {
        // an unrelated process leading its own group holds the pid the previous agent's worker had
        Process stranger = new ProcessBuilder("setsid", "sleep", "60").start();
        try {
            long pid = stranger.pid();
            await("the stranger leads its group", () -> ProcessIdentity.Stat.read(pid).map(s -> s.pgrp() == pid).orElse(false));
            long ticks = ProcessIdentity.Stat.read(pid).orElseThrow().startTicks();
            String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            // our worker had that pid, but started one tick earlier
            ProcessIdentity ours = new ProcessIdentity(pid, true, ticks - 1, bootId, null);
            WorkerRecord listed = new WorkerRecord(anAssignment("listed").process("x").build(), "process", pid, null, null, null, null);
            new WorkerStore(workDir).save(List.of(listed));
            Path listedDir = Files.createDirectories(workDir.resolve("workers/listed"));
            new PidFile("listed", "job-listed", 1, ours).write(listedDir);
            // and one workers.json no longer lists, which the sweep would kill if it were ours
            Path unlistedDir = Files.createDirectories(workDir.resolve("workers/unlisted"));
            new PidFile("unlisted", "job-unlisted", 1, ours).write(unlistedDir);

            try (WorkerManager restarted = new WorkerManager(workDir, new Fixtures.KeepingTelemetry(), Fixtures.fastSettings())) {
                assertThat(restarted.reconcile()).isEmpty();
                assertThat(restarted.reports()).containsExactly(new WorkerReport("listed", ReportedState.FAILED, null,
                        "lost: process is gone after an agent restart and its exit code is unknown"));
                assertThat(listedDir.resolve(PidFile.NAME)).as("stale pid file cleaned up").doesNotExist();
                assertThat(unlistedDir.resolve(PidFile.NAME)).as("stale pid file cleaned up").doesNotExist();
                // a wrong SIGKILL would come within the stop grace
                org.awaitility.Awaitility.await().during(Fixtures.fastSettings().stopGrace().multipliedBy(2))
                        .atMost(Fixtures.fastSettings().stopGrace().multipliedBy(3))
                        .until(stranger::isAlive);
            }
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aProcessThatIsNoLongerAWorkerIsKilledWithItsWholeGroupAfterARestart() throws Exception {
        WorkerManager before = new WorkerManager(workDir, new Fixtures.KeepingTelemetry(), Fixtures.fastSettings());
        before.start(anAssignment("forgotten").process("sh", "-c",
                "trap '' TERM; sleep 1000 & echo $! > pids; sleep 1000 & echo $! >> pids; wait").build());
        Path dir = workDir.resolve("workers/forgotten");
        await("children", () -> ProcessWorkerTest.pidsIn(dir.resolve("pids")).size() == 2);
        List<Long> processes = new java.util.ArrayList<>(ProcessWorkerTest.pidsIn(dir.resolve("pids")));
        processes.add(PidFile.read(dir).orElseThrow().process().pid());
        before.close(); // the agent "crashes"
        Files.delete(workDir.resolve("workers.json")); // and its list of workers is lost (or was corrupt)

        try (WorkerManager after = new WorkerManager(workDir, new Fixtures.KeepingTelemetry(), Fixtures.fastSettings())) {
            assertThat(after.reconcile()).isEmpty();

            // the processes ignore SIGTERM: the SIGKILL after the grace period ends them
            await("the whole group is gone", () -> processes.stream().noneMatch(ProcessWorkerTest::running));
            await("the pid file is removed", () -> !Files.exists(dir.resolve(PidFile.NAME)));
        } finally {
            processes.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }
}
