package io.berth.api.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Real node agents as separate JVM processes, started from the packaged agent jar (built before the control plane
 * by {@code ./mvnw verify}), each with a simulated-hardware file and its own work directory.
 */
final class AgentProcesses implements AutoCloseable {
    private final Path dir;
    private final int controlPlanePort;
    private final Map<String, Process> agents = new LinkedHashMap<>();
    /** Issues the agent token bound to a server name. */
    private final Function<String, String> agentToken;

    AgentProcesses(Path dir, int controlPlanePort, io.berth.api.auth.TokenService tokens) {
        this(dir, controlPlanePort,
                name -> tokens.issue("agent-" + name, io.berth.api.auth.Role.AGENT, null, name).token());
    }

    AgentProcesses(Path dir, int controlPlanePort, Function<String, String> agentToken) {
        this.dir = dir;
        this.controlPlanePort = controlPlanePort;
        this.agentToken = agentToken;
    }

    static Path agentJar() throws IOException {
        Path target = Path.of("../node-agent/target");
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().matches("node-agent-.*\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "node-agent jar not found in ../node-agent/target: run the suite with ./mvnw verify"));
        }
    }

    /** Starts an agent named {@code name} with {@code gpus} simulated GPUs. */
    void start(String name, int gpus) throws IOException {
        start(name, gpus, "", List.of());
    }

    /** As {@link #start(String, int)}, with {@code extraYaml} (top-level lines) added to its hardware file. */
    void start(String name, int gpus, String extraYaml) throws IOException {
        start(name, gpus, extraYaml, List.of());
    }

    /** As {@link #start(String, int)}, with more agent flags (e.g. {@code --rack=r2}). */
    void start(String name, int gpus, List<String> flags) throws IOException {
        start(name, gpus, "", flags);
    }

    private void start(String name, int gpus, String extraYaml, List<String> flags) throws IOException {
        Path hardware = dir.resolve(name + ".yaml");
        StringBuilder yaml = new StringBuilder(extraYaml)
                .append("cpuMillis: 8000\nmemoryMib: 16384\nnetworkMbps: 10000\naccelerators:\n");
        for (int i = 0; i < gpus; i++) {
            yaml.append("  - {index: ").append(i).append(", kind: GPU, vendor: SIM, model: SIM-1, memoryMib: 16384, ")
                    .append("interconnectDomain: ").append(name).append("-nvl}\n");
        }
        Files.writeString(hardware, yaml);
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
        command.addAll(ControlPlaneProcess.jvmFlags());
        command.addAll(List.of("-jar", agentJar().toAbsolutePath().toString(),
                "--control-plane=http://localhost:" + controlPlanePort, "--name=" + name,
                "--hardware=" + hardware, "--work-dir=" + dir.resolve("work-" + name),
                "--advertise-address=127.0.0.1", "--heartbeat-seconds=1"));
        command.addAll(flags);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("BERTH_AGENT_TOKEN", agentToken.apply(name));
        Process p = builder.start();
        agents.put(name, p);
    }

    /** Whether an agent of that name was started and has not been killed, crashed or stopped. */
    boolean running(String name) {
        Process p = agents.get(name);
        return p != null && p.isAlive();
    }

    /** The process id of the agent started last under {@code name}. */
    long pid(String name) {
        return agents.get(name).pid();
    }

    /** SIGKILL: the agent and its embedded workers vanish without a word, like a crashed server. */
    void kill(String name) throws InterruptedException {
        Process p = agents.remove(name);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
    }

    /**
     * SIGKILL of the agent's JVM only: its process workers (in process groups of their own) keep running, as after
     * an agent crash or OOM kill on a server that stays up. {@link #start} with the same name restarts the agent on
     * the same work directory.
     */
    void crash(String name) throws InterruptedException {
        agents.remove(name).destroyForcibly().waitFor();
    }

    String log(String name) throws IOException {
        File f = dir.resolve(name + ".log").toFile();
        return f.exists() ? Files.readString(f.toPath()) : "";
    }

    /**
     * Polls {@code condition} every 200 ms until it holds; after {@code timeout} fails with the end of every started
     * agent's log, which is where the reason usually is.
     */
    void await(java.time.Duration timeout, java.util.function.BooleanSupplier condition) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (java.time.Instant.now().isAfter(deadline)) {
                StringBuilder logs = new StringBuilder();
                for (String n : agents.keySet()) {
                    String log = log(n);
                    logs.append("\n--- ").append(n).append('\n')
                            .append(log.length() > 3000 ? log.substring(log.length() - 3000) : log);
                }
                throw new AssertionError("condition not met within " + timeout + "; agent logs:" + logs);
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        agents.values().forEach(p -> {
            // what the agent started (a suspend command still waiting, say) outlives a stopped agent: ended after it
            List<ProcessHandle> children = p.descendants().toList();
            p.destroy();
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        });
    }
}
