package io.berth.cli;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real control plane (the packaged scheduler-api jar) with one node agent (the packaged node-agent jar) simulating
 * a server with 4 GPUs, started once for all CLI tests of the JVM and stopped when they are done.
 */
final class TestCluster implements ExtensionContext.Store.CloseableResource {
    static final String SERVER = "sim-1";

    final Path dir;
    final int port;
    private final List<Process> processes = new ArrayList<>();

    private TestCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** The cluster of this test JVM, started on first use. */
    static TestCluster get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(TestCluster.class, k -> start(), TestCluster.class);
    }

    String url() {
        return "http://localhost:" + port;
    }

    String adminToken() {
        try {
            return Files.readString(dir.resolve("admin-token")).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TestCluster start() {
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "cli-cluster-");
            TestCluster c = new TestCluster(dir, freePort());
            c.startControlPlane();
            c.startAgent();
            return c;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path jar(String module) {
        Path target = Path.of("..", module, "target");
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().matches(module + "-[0-9].*\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException(module + " jar not found in " + target
                            + ": run the tests with ./mvnw verify (it packages every module first)")).toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void startControlPlane() throws IOException, InterruptedException {
        Path log = dir.resolve("control-plane.log");
        Process p = new ProcessBuilder(java(), "-Xmx768m", "-XX:TieredStopAtLevel=1", "-jar",
                jar("scheduler-api").toString(), "--server.port=" + port, "--management.server.port=0",
                "--berth.embedded-postgres.data-dir=" + dir.resolve("pgdata"),
                "--berth.embedded-postgres.durable=false", "--berth.local-agent.enabled=false",
                "--berth.auth.admin-token-file=" + dir.resolve("admin-token"),
                "--berth.scheduler.checkpoint-root=" + dir.resolve("checkpoints"),
                "--berth.scheduler.heartbeat-interval-seconds=1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (!Files.readString(log).contains("Berth is ready")) {
            if (!p.isAlive()) throw new IllegalStateException("control plane exited:\n" + Files.readString(log));
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("control plane not up:\n" + Files.readString(log));
            Thread.sleep(500);
        }
    }

    private void startAgent() throws IOException, InterruptedException {
        Path hardware = dir.resolve(SERVER + ".yaml");
        StringBuilder yaml = new StringBuilder("cpuMillis: 8000\nmemoryMib: 16384\nnetworkMbps: 10000\naccelerators:\n");
        for (int i = 0; i < 4; i++) {
            yaml.append("  - {index: ").append(i).append(", kind: GPU, vendor: SIM, model: SIM-1, memoryMib: 16384}\n");
        }
        Files.writeString(hardware, yaml);
        CliRun token = CliRun.run(this, "tokens", "create", "agent-" + SERVER, "--role", "AGENT", "--server", SERVER, "-q");
        if (token.code() != 0) throw new IllegalStateException("agent token: " + token);
        ProcessBuilder b = new ProcessBuilder(java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
                jar("node-agent").toString(), "--control-plane=" + url(), "--name=" + SERVER,
                "--hardware=" + hardware, "--work-dir=" + dir.resolve("work-" + SERVER),
                "--advertise-address=127.0.0.1", "--heartbeat-seconds=1")
                .redirectErrorStream(true).redirectOutput(dir.resolve(SERVER + ".log").toFile());
        b.environment().put("BERTH_AGENT_TOKEN", token.out().strip());
        processes.add(b.start());
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!CliRun.run(this, "nodes").out().contains("READY   yes")) {
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("agent not connected");
            Thread.sleep(500);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Agents first (their workers are process groups the agent stops), then the control plane. */
    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }
}
