package io.berth.agent;

import io.berth.agent.hardware.Hardware;
import io.berth.agent.hardware.HardwareDiscovery;
import io.berth.agent.hardware.HardwareFile;
import io.berth.agent.json.InvalidSpecException;
import io.berth.agent.protocol.ControlPlaneClient;
import io.berth.agent.protocol.ControlPlaneException;
import io.berth.core.protocol.MetricsReport;
import io.berth.agent.worker.Telemetry;
import io.berth.agent.worker.WorkerManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Entry point: {@code java -jar node-agent.jar --control-plane=URL --name=NAME [...]} (see
 * {@link AgentConfig}). Exit codes: 0 after a normal shutdown, 2 for invalid configuration, an
 * invalid hardware file (the message names the flag or field) or a work directory another agent runs on.
 */
public final class NodeAgent {

    private NodeAgent() {
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", AgentLogManager.class.getName());
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        int code = run(args, System.getenv(), System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Validates the configuration, builds the agent and runs it until a shutdown signal. */
    static int run(String[] args, Map<String, String> env, PrintStream err) {
        if (AgentConfig.wantsHelp(args)) {
            err.print(AgentConfig.USAGE);
            return 0;
        }
        Agent agent;
        try {
            AgentConfig config = AgentConfig.parse(args, env);
            WorkDirLock.take(config.workDir());
            agent = build(config, Agent.Backoff.defaults(), WorkerManager.Settings.defaults());
        } catch (ConfigException e) {
            err.println("berth-agent: " + e.getMessage());
            err.println("run with --help for usage");
            return 2;
        }
        Thread hook = new Thread(agent::shutdown, "berth-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        agent.run();
        return 0;
    }

    /**
     * Builds an agent from a validated configuration: loads or discovers the hardware and creates the
     * work directory.
     *
     * @throws ConfigException for an invalid hardware file (naming the field) or an unusable work dir
     */
    static Agent build(AgentConfig config, Agent.Backoff backoff, WorkerManager.Settings settings) {
        try {
            Files.createDirectories(config.workDir());
        } catch (IOException e) {
            throw new ConfigException("--work-dir", "cannot create " + config.workDir() + ": " + e.getMessage());
        }
        Hardware hardware;
        if (config.hardwareFile() != null) {
            try {
                hardware = HardwareFile.load(config.hardwareFile());
            } catch (InvalidSpecException e) {
                throw new ConfigException("--hardware", e.getMessage());
            } catch (IOException e) {
                throw new ConfigException("--hardware", "cannot read " + config.hardwareFile() + ": " + e.getMessage());
            }
        } else {
            hardware = HardwareDiscovery.discover(config.workDir());
        }
        ControlPlaneClient client = new ControlPlaneClient(config.controlPlane(), config.name(), config.token(), Duration.ofSeconds(10));
        WorkerManager workers;
        try {
            workers = new WorkerManager(config.workDir(), telemetry(client), settings);
        } catch (IOException e) {
            throw new ConfigException("--work-dir", "cannot use " + config.workDir() + ": " + e.getMessage());
        }
        return new Agent(config, hardware, client, workers, backoff, settings.stopGrace().plusSeconds(5));
    }

    private static Telemetry telemetry(ControlPlaneClient client) {
        return new Telemetry() {
            @Override
            public void metrics(String workerId, MetricsReport report) {
                try {
                    client.reportMetrics(workerId, report);
                } catch (ControlPlaneException e) {
                    if (e.retryable()) {
                        throw e;
                    }
                    // a 4xx (e.g. the worker is unknown by now) will not get better: drop it
                }
            }

            @Override
            public void logs(String workerId, List<String> lines) {
                try {
                    client.shipLogs(workerId, new io.berth.core.protocol.LogBatch(lines));
                } catch (ControlPlaneException e) {
                    if (e.retryable()) {
                        throw e;
                    }
                }
            }
        };
    }
}
