package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped PyTorch example ({@code examples/jobs/torchrun.yaml} running {@code examples/torchrun/train.py}) as
 * a user submits it: two replicas on two agent processes rendezvous through torchrun from the variables the agents
 * set, train with gloo, and the loss curve arrives through the BERTH_METRIC lines. Needs PyTorch (Debian's
 * python3-torch, which {@code .ci/run} installs): skipped without it, except in CI where it fails.
 */
class TorchrunEndToEndTest extends ApiTestBase {
    private static final Path EXAMPLE = Path.of("../examples/jobs/torchrun.yaml");
    private static final Path SCRIPT_DIR = Path.of("../examples/torchrun").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private AgentProcesses agents;

    static boolean torchrunWorks() {
        try {
            Process p = new ProcessBuilder("torchrun", "--help").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @BeforeEach
    void startAgents() throws Exception {
        boolean available = torchrunWorks();
        if (!available && "true".equals(System.getenv("CI")))
            throw new AssertionError("torchrun (PyTorch) is missing: .ci/run installs Debian's python3-torch");
        Assumptions.assumeTrue(available, "torchrun (PyTorch) is not installed: apt-get install python3-torch");
        agents = new AgentProcesses(dir, port, tokens);
        for (String name : List.of("node-a", "node-b")) agents.start(name, 0);
        await(Duration.ofSeconds(60), () -> jdbc.queryForObject(
                "SELECT count(*) FROM servers WHERE agent_last_seen IS NOT NULL", Long.class) == 2);
    }

    @AfterEach
    void stopAgents() {
        if (agents != null) agents.close();
    }

    @Test
    void theExampleTrainsAcrossTwoAgentsAndReportsItsLossCurve() throws Exception {
        // point workingDir at this checkout (as `berth submit --workdir` does in the README); and ask for more than half an agent's 8000 millicores,
        // so the replicas land on different agents
        String spec = Files.readString(EXAMPLE)
                .replace("/opt/berth/examples/torchrun", SCRIPT_DIR.toString())
                .replace("cpuMillis: 1000", "cpuMillis: 5000");
        Response r = post("/api/v1/jobs", "application/yaml", spec);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = JsonPath.read(r.body(), "$.id");

        await(Duration.ofSeconds(240), () -> List.of("SUCCEEDED", "FAILED").contains(state(id)));
        String detail = get("/api/v1/jobs/" + id).body();
        List<String> lines = JsonPath.read(get("/api/v1/jobs/" + id + "/logs?limit=1000").body(), "$.lines[*].text");
        assertThat(state(id)).as(detail + "\n" + String.join("\n", lines)).isEqualTo("SUCCEEDED");
        assertThat((List<String>) JsonPath.read(detail, "$.placement[*].server")).hasSize(2).doesNotHaveDuplicates();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("rank 0 done: world_size=2 parameters_in_sync=True"))
                .anySatisfy(l -> assertThat(l).contains("rank 1 done: world_size=2 parameters_in_sync=True"));

        await(Duration.ofSeconds(30), () -> ((List<?>) JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.metrics")).size() == 5);
        detail = get("/api/v1/jobs/" + id).body();
        assertThat((List<Integer>) JsonPath.read(detail, "$.metrics[*].epoch")).containsExactly(1, 2, 3, 4, 5);
        List<Number> loss = JsonPath.read(detail, "$.metrics[*].loss");
        assertThat(loss.get(4).doubleValue()).isLessThan(loss.get(0).doubleValue() * 0.5);
        List<Number> accuracy = JsonPath.read(detail, "$.metrics[*].accuracy");
        assertThat(accuracy.get(4).doubleValue()).isGreaterThan(accuracy.get(0).doubleValue());
    }

    private String state(String id) {
        return jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?::uuid", String.class, id);
    }

    private void await(Duration timeout, BooleanSupplier condition) throws Exception {
        agents.await(timeout, condition);
    }
}
