package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node agent killed hard (its JVM only) on a server that stays up: the control plane requeues the job elsewhere
 * after the heartbeat timeout while the old worker process runs on; the restarted agent finds it and, since the
 * control plane no longer assigns it there, kills it, so the job does not keep running twice.
 */
class AgentCrashEndToEndTest extends ApiTestBase {
    @TempDir
    Path dir;
    private AgentProcesses agents;

    @AfterEach
    void stopAgents() throws IOException {
        if (agents != null) agents.close();
        Path marks = dir.resolve("marks");
        if (Files.isDirectory(marks)) {
            try (var files = Files.list(marks)) {
                files.forEach(f -> ProcessHandle.of(pidIn(f)).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }

    @Test
    void aRestartedAgentKillsTheWorkerTheControlPlaneRequeuedElsewhere() throws Exception {
        agents = new AgentProcesses(dir, port, tokens);
        for (String name : List.of("crash-a", "crash-b")) agents.start(name, 1);
        await(Duration.ofSeconds(60), () -> jdbc.queryForObject(
                "SELECT count(*) FROM servers WHERE name LIKE 'crash-%' AND agent_last_seen IS NOT NULL", Long.class) == 2);
        Path marks = Files.createDirectories(dir.resolve("marks"));
        // each attempt records the pid of its child (the job's real work) in attempt-<n>
        Response r = postJson("/api/v1/jobs", """
                {"name":"twice","tenant":"e2e","retries":2,
                 "taskGroups":[{"name":"w","replicas":1,"cpuMillis":500,"memoryMib":256,"gpus":1}],
                 "runtime":{"type":"process","process":{"argv":["sh","-c",
                   "sleep 1000 & echo $! > %s/attempt-$BERTH_ATTEMPT; wait"]}}}""".formatted(marks));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = JsonPath.read(r.body(), "$.id");
        await(Duration.ofSeconds(60), () -> state(id).equals("RUNNING") && Files.exists(marks.resolve("attempt-1")));
        long first = pidIn(marks.resolve("attempt-1"));
        String victim = JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.placement[0].server");

        agents.crash(victim);

        // the control plane gives up on the silent agent (5 s here) and runs attempt 2 on the other server
        await(Duration.ofSeconds(90), () -> Files.exists(marks.resolve("attempt-2")) && pidIn(marks.resolve("attempt-2")) > 0);
        assertThat(running(first)).as("attempt 1 still runs on the server whose agent crashed").isTrue();

        agents.start(victim, 1);

        await(Duration.ofSeconds(60), () -> !running(first));
        await(Duration.ofSeconds(30), () -> "READY".equals(
                jdbc.queryForObject("SELECT state FROM servers WHERE name = ?", String.class, victim)));
        String detail = get("/api/v1/jobs/" + id).body();
        assertThat((Integer) JsonPath.read(detail, "$.attempt")).as(detail).isEqualTo(2);
        assertThat(state(id)).isEqualTo("RUNNING");
        assertThat(running(pidIn(marks.resolve("attempt-2")))).as("attempt 2 is left alone").isTrue();
        assertThat(agents.log(victim)).contains("re-adopted worker").contains("stopped by the control plane");
    }

    private static long pidIn(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.isEmpty() ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Running and not a zombie (an orphan waits to be reaped by init once it has ended). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private String state(String id) {
        return jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    private void await(Duration timeout, BooleanSupplier condition) throws Exception {
        agents.await(timeout, condition);
    }
}
