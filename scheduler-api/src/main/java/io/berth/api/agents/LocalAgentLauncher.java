package io.berth.api.agents;

import io.berth.api.auth.Role;
import io.berth.api.auth.TokenService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Local runs: starts a node agent for this machine as a child process once the API is up, so one command gives a
 * working system. Off with {@code berth.local-agent.enabled=false} (the Helm chart runs agents as a DaemonSet).
 * The agent's output goes to {@code ~/.berth/local-agent.log}; it is stopped with the control plane. A local agent
 * left running by a control plane that was killed is kept, not doubled.
 */
@Component
class LocalAgentLauncher {
    private static final Logger log = LoggerFactory.getLogger(LocalAgentLauncher.class);

    private final boolean enabled;
    private final String jar;
    private final String name;
    private final String hardware;
    private final String workDir;
    private final TokenService tokens;
    private Process agent;

    LocalAgentLauncher(@Value("${berth.local-agent.enabled:true}") boolean enabled,
                       @Value("${berth.local-agent.jar:}") String jar,
                       @Value("${berth.local-agent.name:}") String name,
                       @Value("${berth.local-agent.hardware:}") String hardware,
                       @Value("${berth.local-agent.work-dir:${user.home}/.berth/agent}") String workDir,
                       TokenService tokens) {
        this.tokens = tokens;
        this.enabled = enabled;
        this.jar = jar;
        this.name = name;
        this.hardware = hardware;
        this.workDir = workDir;
    }

    @EventListener
    void onReady(ApplicationReadyEvent event) {
        if (!enabled || !(event.getApplicationContext() instanceof WebServerApplicationContext web)) return;
        Path agentJar = jar.isBlank() ? findJar() : Path.of(jar);
        if (agentJar == null || !Files.isRegularFile(agentJar)) {
            log.warn("local node agent not started: no agent jar (build it with ./mvnw package or set berth.local-agent.jar)");
            return;
        }
        String agentName = name.isBlank() ? hostName() : name;
        Optional<String> running = runningAgent(Path.of(workDir, agentName));
        if (running.isPresent()) {
            // left over from a control plane that was killed: it reconnects by itself and keeps its workers
            log.info("local node agent '{}' from an earlier start still runs (pid {}); keeping it", agentName,
                    running.get());
            return;
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", agentJar.toAbsolutePath().toString(),
                "--control-plane=http://localhost:" + web.getWebServer().getPort(),
                "--name=" + agentName, "--work-dir=" + Path.of(workDir, agentName), "--advertise-address=127.0.0.1"));
        if (!hardware.isBlank()) command.add("--hardware=" + hardware);
        try {
            Path logFile = Path.of(System.getProperty("user.home"), ".berth", "local-agent.log");
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // a fresh token bound to this server, handed over in the environment (a flag would show in ps)
            builder.environment().put("BERTH_AGENT_TOKEN",
                    tokens.issue("local-agent-" + agentName, Role.AGENT, null, agentName).token());
            agent = builder.start();
            log.info("started local node agent '{}' (pid {}), log in {}", agentName, agent.pid(), logFile);
        } catch (IOException e) {
            log.warn("local node agent not started: {}", e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        if (agent != null && agent.isAlive()) {
            agent.destroy();
            try {
                agent.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The pid of a live agent on {@code agentWorkDir}: agents hold a lock on {@code agent.lock} there, with their pid in
     * it, for as long as they run.
     */
    private static Optional<String> runningAgent(Path agentWorkDir) {
        Path file = agentWorkDir.resolve("agent.lock");
        if (!Files.exists(file)) return Optional.empty();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
                return Optional.empty();
            }
            return Optional.of(Files.readString(file).strip());
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            return Optional.empty(); // the agent started below reports the problem itself
        }
    }

    /** The agent jar next to this one in a source checkout: node-agent/target/node-agent-*.jar. */
    private static Path findJar() {
        for (Path dir : List.of(Path.of("node-agent/target"), Path.of("../node-agent/target"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.list(dir)) {
                var found = files.filter(p -> p.getFileName().toString().matches("node-agent-.*\\.jar")).findFirst();
                if (found.isPresent()) return found.get();
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
            return h.isBlank() ? "local" : h.split("\\.")[0];
        } catch (IOException e) {
            return "local";
        }
    }
}
