package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Power saving by the control plane's own commands, as with a BMC: the suspend command kills the simulated server
 * (SIGKILL of its agent, a power cut), the resume command asks the test's "BMC" to start it again (a file the test
 * watches), and a server comes back by registering after its "boot". q-bad's BMC does not answer: its resume fails,
 * it becomes NOT_READY with the command's output as reason, and the waiting gang starts once an operator has brought
 * it back.
 */
// its own context (power saving on): closed after the class so that its loops stop with it
@DirtiesContext
class PowerCommandsEndToEndTest extends ApiTestBase {
    private static final Path DIR = dir();
    private AgentProcesses agents;
    private Thread bmc;

    private static Path dir() {
        try {
            return Files.createTempDirectory("berth-power-commands");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void powerSaving(DynamicPropertyRegistry r) throws IOException {
        Path resume = DIR.resolve("resume.sh");
        Files.writeString(resume, """
                case "$1" in
                  q-bad) echo "BMC of $1 unreachable"; exit 3 ;;
                  *) touch "%s/$1.on" ;;
                esac
                """.formatted(DIR));
        r.add("berth.power-saving.enabled", () -> "true");
        r.add("berth.power-saving.suspend-after", () -> "10s");
        r.add("berth.power-saving.suspend-action", () -> "command");
        r.add("berth.power-saving.suspend-command", () -> "kill -9 $(cat " + DIR + "/{server}.pid)");
        r.add("berth.power-saving.resume-command", () -> "sh " + resume + " {server}");
        r.add("berth.power-saving.resume-timeout", () -> "120s");
    }

    /** The base class's admin token is issued once per JVM, in the first context's database, not in this one's. */
    @BeforeEach
    void adminOfThisContext() {
        token = tokens.issue("power-e2e-admin", io.berth.api.auth.Role.ADMIN, null, null).token();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (bmc != null) {
            bmc.interrupt();
            bmc.join(10_000);
        }
        if (agents != null) agents.close();
    }

    @Test
    void aCommandPowersServersOffAndAFailedResumeLeavesTheServerNotReady() throws Exception {
        agents = new AgentProcesses(Files.createTempDirectory(DIR, "agents"), port, tokens);
        List<String> servers = List.of("q-1", "q-bad");
        for (String s : servers) start(s);
        bmc = new Thread(this::bmc, "test-bmc");
        bmc.setDaemon(true);
        bmc.start();
        await(Duration.ofSeconds(60), () -> jdbc.queryForObject(
                "SELECT count(*) FROM servers WHERE agent_last_seen IS NOT NULL", Long.class) == 2);

        await(Duration.ofSeconds(90), () -> servers.stream().allMatch(s -> state(s).equals("POWERED_OFF")));
        assertThat(events("q-1")).hasSize(2).last().isEqualTo("powered off");
        assertThat(events("q-1").get(0)).startsWith("suspended: idle since ");

        // a gang of two 2-GPU replicas needs both servers
        Response submitted = postJson("/api/v1/jobs", """
                {"name":"pair","tenant":"e2e","taskGroups":[{"name":"w","replicas":2,"gangSize":2,"cpuMillis":500,
                 "memoryMib":256,"gpus":2}],"runtime":{"type":"process","process":{"argv":["sleep","300"]}}}""");
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
        String id = JsonPath.read(submitted.body(), "$.id");

        await(Duration.ofSeconds(60), () -> state("q-bad").equals("NOT_READY"));
        String reason = jdbc.queryForObject("SELECT state_reason FROM servers WHERE name = 'q-bad'", String.class);
        assertThat(reason).isEqualTo("resume failed: 'sh " + DIR.resolve("resume.sh") + " q-bad' exited with 3: "
                + "BMC of q-bad unreachable");
        assertThat(events("q-bad")).endsWith("resuming for job " + id, reason);
        await(Duration.ofSeconds(60), () -> state("q-1").equals("READY"));
        assertThat(events("q-1")).endsWith("resuming for job " + id, "resumed: its agent registered");
        assertThat(jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id)).isEqualTo("QUEUED");

        // the operator powers q-bad on by hand: its agent registers, the gang starts on both servers
        start("q-bad");
        await(Duration.ofSeconds(60), () -> "RUNNING".equals(jdbc.queryForObject(
                "SELECT state FROM jobs WHERE id = ?::uuid", String.class, id)));
        assertThat(jdbc.queryForList("""
                SELECT DISTINCT s.name FROM workers w JOIN servers s ON s.id = w.server_id WHERE w.job_id = ?::uuid
                ORDER BY s.name""", String.class, id)).containsExactly("q-1", "q-bad");
        assertThat(management("/actuator/prometheus").body()).containsPattern("berth_power_resume_failures_total(\\{[^}]*\\})? 1\\.0");
        assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);
    }

    /** Starts (or starts again, on the same work directory) the simulated server and notes its pid for the suspend. */
    private synchronized void start(String server) throws IOException {
        agents.start(server, 2, List.of("--rack=r1"));
        Files.writeString(DIR.resolve(server + ".pid"), Long.toString(agents.pid(server)));
    }

    /** The test's BMC: powers on (starts the agent of) every server whose resume command asked for it. */
    private void bmc() {
        while (!Thread.currentThread().isInterrupted()) {
            try (var files = Files.list(DIR)) {
                for (Path on : files.filter(f -> f.getFileName().toString().endsWith(".on")).toList()) {
                    Files.delete(on);
                    start(on.getFileName().toString().replaceFirst("\\.on$", ""));
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private List<String> events(String server) {
        return JsonPath.read(get("/api/v1/servers/" + server + "/events").body(), "$[*].reason");
    }

    private String state(String server) {
        return jdbc.queryForObject("SELECT state FROM servers WHERE name = ?", String.class, server);
    }

    private void await(Duration timeout, BooleanSupplier condition) throws Exception {
        agents.await(timeout, condition);
    }
}
