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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idle power management with real node-agent processes. Each agent's suspend command is a script that blocks until a
 * marker file appears (a suspended machine does nothing), then takes two more seconds (booting); the control plane's
 * resume command creates that file. Four idle servers: three in rack r1, one in the excluded rack rack-x; two idle
 * servers are kept on, so two of r1's are suspended. A gang of three 2-GPU replicas then needs one of them back.
 */
// its own context (power saving on): closed after the class so that its loops stop with it
@DirtiesContext
class PowerSavingEndToEndTest extends ApiTestBase {
    private static final Path MARKERS = markers();
    private AgentProcesses agents;

    private static Path markers() {
        try {
            return Files.createTempDirectory("berth-power-e2e");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void powerSaving(DynamicPropertyRegistry r) {
        r.add("berth.power-saving.enabled", () -> "true");
        r.add("berth.power-saving.suspend-after", () -> "2s");
        r.add("berth.power-saving.keep-idle-on", () -> "2");
        r.add("berth.power-saving.excluded-racks", () -> "rack-x");
        r.add("berth.power-saving.resume-timeout", () -> "120s");
        r.add("berth.power-saving.expected-resume", () -> "5s");
        r.add("berth.power-saving.resume-command", () -> "touch " + MARKERS + "/{server}.resumed");
    }

    /** The base class's admin token is issued once per JVM, in the first context's database, not in this one's. */
    @BeforeEach
    void adminOfThisContext() {
        token = tokens.issue("power-e2e-admin", io.berth.api.auth.Role.ADMIN, null, null).token();
    }

    @AfterEach
    void stopAgents() {
        if (agents != null) agents.close();
    }

    @Test
    void idleServersAreSuspendedAndOneIsResumedForAJobThatNeedsIt() throws Exception {
        Path script = MARKERS.resolve("suspend.sh");
        Files.writeString(script, """
                f="%s/$BERTH_SERVER.resumed"
                while [ ! -e "$f" ]; do sleep 0.1; done
                rm -f "$f"
                sleep 2
                """.formatted(MARKERS));
        agents = new AgentProcesses(dir(), port, tokens);
        List<String> r1 = List.of("p-1", "p-2", "p-3");
        for (String name : r1) agents.start(name, 2, List.of("--rack=r1", "--suspend-command=sh " + script));
        agents.start("p-x", 2, List.of("--rack=rack-x", "--suspend-command=sh " + script));
        await(Duration.ofSeconds(60), () -> jdbc.queryForObject(
                "SELECT count(*) FROM servers WHERE agent_last_seen IS NOT NULL", Long.class) == 4);

        // 4 idle servers - 2 kept on = 2 suspended, both of rack r1 (rack-x is excluded)
        await(Duration.ofSeconds(60), () -> off(r1).size() == 2);
        List<String> off = off(r1);
        assertThat(state("p-x")).isEqualTo("READY");
        assertThat(r1.stream().filter(s -> !off.contains(s)).map(this::state).toList()).containsExactly("READY");
        for (String s : off) {
            Map<String, Object> view = JsonPath.read(get("/api/v1/servers/" + s).body(), "$");
            assertThat(view.get("state")).isEqualTo("POWERED_OFF");
            assertThat((String) view.get("stateReason")).startsWith("suspended: idle since ");
        }

        // three servers of 2 GPUs: the two that are on and one of the suspended ones
        String gang = """
                {"name":"gang","tenant":"e2e","taskGroups":[{"name":"w","replicas":3,"gangSize":3,"cpuMillis":500,
                 "memoryMib":256,"gpus":2}],"runtime":{"type":"process","process":{"argv":["sleep","300"]}}}""";
        // asked first: it would wait for a resume, so it would start expected-resume (5 s) from now
        Instant asked = Instant.now();
        Response whatIf = postJson("/api/v1/jobs/what-if", gang);
        assertThat(whatIf.status()).as(whatIf.body()).isEqualTo(200);
        assertThat((Boolean) JsonPath.read(whatIf.body(), "$.runsNow")).isFalse();
        Instant estimate = Instant.parse(JsonPath.read(whatIf.body(), "$.estimatedStartAt"));
        assertThat(estimate).isBetween(asked.plusSeconds(5).minusMillis(500), Instant.now().plusSeconds(5));
        assertThat(off(r1)).as("a what-if resumes nothing").hasSize(2);

        Response submitted = postJson("/api/v1/jobs", gang);
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
        String id = JsonPath.read(submitted.body(), "$.id");
        List<String> reasons = new ArrayList<>();
        await(Duration.ofSeconds(60), () -> {
            String reason = JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.pendingReason");
            if (reason != null) reasons.add(reason);
            return reason != null && reason.startsWith("waiting for server ");
        });
        String reason = reasons.get(reasons.size() - 1);
        String resumed = off.stream().filter(s -> reason.startsWith("waiting for server " + s + " to resume (expected ready at "))
                .findFirst().orElseThrow(() -> new AssertionError("reason names no suspended server: " + reason));
        await(Duration.ofSeconds(60), () -> "RUNNING".equals(jdbc.queryForObject(
                "SELECT state FROM jobs WHERE id = ?::uuid", String.class, id)));

        assertThat(jdbc.queryForList("""
                SELECT DISTINCT s.name FROM workers w JOIN servers s ON s.id = w.server_id WHERE w.job_id = ?::uuid
                ORDER BY s.name""", String.class, id))
                .containsExactlyInAnyOrderElementsOf(List.of("p-x", resumed,
                        r1.stream().filter(s -> !off.contains(s)).findFirst().orElseThrow()));
        String other = off.stream().filter(s -> !s.equals(resumed)).findFirst().orElseThrow();
        assertThat(state(other)).isEqualTo("POWERED_OFF");
        assertThat(state("p-x")).isEqualTo("READY");
        List<String> events = JsonPath.read(get("/api/v1/servers/" + resumed + "/events").body(), "$[*].reason");
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).startsWith("suspended: idle since ");
        assertThat(events.subList(1, 4)).containsExactly("powered off: its agent runs the suspend command",
                "resuming for job " + id, "resumed: its agent reports again");
        assertThat(management("/actuator/prometheus").body())
                .contains("berth_power_suspends_total").contains("berth_power_resumes_total");
        assertThat(postJson("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(200);
    }

    private List<String> off(List<String> servers) {
        return jdbc.queryForList("SELECT name FROM servers WHERE state = 'POWERED_OFF' AND name = ANY (?) ORDER BY name",
                String.class, (Object) servers.toArray(String[]::new));
    }

    private String state(String server) {
        return jdbc.queryForObject("SELECT state FROM servers WHERE name = ?", String.class, server);
    }

    private Path dir() throws IOException {
        return Files.createTempDirectory(MARKERS, "agents");
    }

    private void await(Duration timeout, BooleanSupplier condition) throws Exception {
        agents.await(timeout, condition);
    }
}
