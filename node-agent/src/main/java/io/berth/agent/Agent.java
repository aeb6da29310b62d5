package io.berth.agent;

import io.berth.agent.hardware.Hardware;
import io.berth.agent.hardware.GpuHealthProbe;
import io.berth.agent.hardware.HardwareDiscovery;
import io.berth.agent.hardware.NvidiaSmi;
import io.berth.core.protocol.AcceleratorError;
import io.berth.agent.health.GpuErrorMonitor;
import io.berth.agent.health.NvidiaSmiQuery;
import io.berth.agent.power.NvidiaSmiPower;
import io.berth.agent.power.PowerMeter;
import io.berth.agent.power.PowerModel;
import io.berth.agent.power.RaplMeter;
import io.berth.core.protocol.Assignment;
import io.berth.agent.protocol.ControlPlaneClient;
import io.berth.agent.protocol.ControlPlaneException;
import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.core.protocol.RegisterRequest;
import io.berth.core.protocol.RegisterResponse;
import io.berth.core.protocol.WorkerReport;
import io.berth.agent.worker.WorkerManager;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's main loop: reconcile workers left by a previous run, register, then heartbeat forever,
 * starting and stopping workers as the replies say.
 *
 * <p>Heartbeats are long polls: the control plane may hold one for up to the heartbeat interval while it has
 * nothing for this agent and answer as soon as work is placed here, so work starts within moments of being
 * placed rather than at the next heartbeat. The next heartbeat follows at once after a held one (the hold was
 * the wait) or after one that started workers (to report them running), else after the rest of the interval
 * (a control plane without long polls answers at once, and the cadence stays one per interval).
 *
 * <p>Never gives up on the control plane, and keeps the workers running while it is unreachable: any
 * failed call is retried with exponential backoff (initial to max, doubling; at most a couple of seconds
 * after a refused connection, see {@link Backoff}); a 404 on heartbeat (the control plane forgot this
 * agent) leads to a new registration. {@link #run()} returns only after {@link #shutdown()}.
 *
 * <p>Shutdown (SIGTERM via the shutdown hook): the loop stops, all workers are stopped (process
 * workers get SIGTERM, then SIGKILL after the grace period; embedded ones are cancelled) so nothing
 * keeps using resources the control plane will consider free, pending logs and metrics are flushed
 * and one last heartbeat reports the final states. Those states also stay in workers.json and are
 * reported again after the next start if that heartbeat failed.
 */
public final class Agent {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    /**
     * Retry policy for calls to the control plane: the pause after a failure starts at {@code initial} and doubles
     * up to {@code max}, except that after a refused connection or a 503 it is at most {@code maxWhenRefused}. A
     * refused connection means nothing listens (the control plane is restarting or not up yet) and a 503 that its
     * database is down; either costs it nothing, and the agent should be back within moments of its recovery (before
     * the heartbeat timeout, counted from the recovery). Other failures (500, timeouts, resets) may come from an
     * overloaded control plane and keep the full backoff.
     */
    public record Backoff(Duration initial, Duration max, Duration maxWhenRefused) {
        public static Backoff defaults() {
            return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(2));
        }

        /** Pause before the next attempt, ms, when the current backoff delay is {@code delayMillis}. */
        long pauseMillis(long delayMillis, boolean refused) {
            return refused ? Math.min(delayMillis, maxWhenRefused.toMillis()) : delayMillis;
        }

        /** The backoff delay after one more failure. */
        long nextDelayMillis(long delayMillis) {
            return Math.min(max.toMillis(), delayMillis * 2);
        }
    }

    private final AgentConfig config;
    private final Hardware hardware;
    private final ControlPlaneClient client;
    private final WorkerManager workers;
    private final Backoff backoff;
    private final Duration stopWait;
    private final GpuHealthProbe gpuHealth = new GpuHealthProbe(NvidiaSmi.QUERY, 30_000);
    private final GpuErrorMonitor gpuErrors;
    private final PowerMeter power;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong failedCalls = new AtomicLong();
    private volatile int heartbeatSeconds;
    private boolean shutDown;
    /** Why the last suspend directive was not carried out, until a heartbeat delivered it; null = nothing to say. */
    private String powerError;

    /**
     * @param stopWait how long shutdown waits for workers to stop
     */
    public Agent(AgentConfig config, Hardware hardware, ControlPlaneClient client, WorkerManager workers,
                 Backoff backoff, Duration stopWait) {
        this.config = config;
        this.hardware = hardware;
        this.client = client;
        this.workers = workers;
        this.backoff = backoff;
        this.stopWait = stopWait;
        this.heartbeatSeconds = config.heartbeatSeconds();
        this.gpuErrors = gpuErrorMonitor(config, hardware);
        this.power = powerMeter(hardware);
    }

    /**
     * Simulated hardware reports its model only (the hardware file's idle/peak figures, else the inventory's from the
     * registration). Real hardware measures its NVIDIA GPUs with nvidia-smi (every heartbeat) and its CPU packages
     * with RAPL, and has the inventory's model, if any, from the registration.
     */
    static PowerMeter powerMeter(Hardware hardware) {
        PowerModel own = PowerModel.of(hardware.idlePowerWatts(), hardware.peakPowerWatts());
        if (hardware.simulated()) return PowerMeter.modelOnly(own);
        boolean nvidia = hardware.accelerators().stream().anyMatch(a -> a.kind() == Hardware.AcceleratorKind.GPU
                && "NVIDIA".equalsIgnoreCase(a.vendor()));
        return new PowerMeter(nvidia ? () -> NvidiaSmiPower.run(NvidiaSmiPower.QUERY) : null,
                new RaplMeter(RaplMeter.SYSFS, System::nanoTime), own,
                hardware.accelerators().stream().map(Hardware.Accelerator::index).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * Simulated hardware: XID lines appended to {@code <work-dir>/faults/kern.log} (or --kernel-log), read from the
     * file's start, and the {@code nvidia-smi -q} text in {@code <work-dir>/faults/nvidia-smi-q.txt} when it exists,
     * so tests and demos inject GPU errors by writing files. Real GPUs: {@code nvidia-smi -q} (at most every 30 s) and
     * the lines appended to --kernel-log after the start, if given.
     */
    static GpuErrorMonitor gpuErrorMonitor(AgentConfig config, Hardware hardware) {
        Map<String, Integer> buses = new HashMap<>();
        if (hardware.simulated()) {
            hardware.accelerators().forEach(a -> buses.put(a.pciBusId(), a.index()));
            Path faults = config.workDir().resolve("faults");
            Path smi = faults.resolve("nvidia-smi-q.txt");
            return new GpuErrorMonitor(buses, config.kernelLog() != null ? config.kernelLog() : faults.resolve("kern.log"),
                    true, () -> {
                        try {
                            return Files.isRegularFile(smi) ? Files.readString(smi) : null;
                        } catch (java.io.IOException e) {
                            return null;
                        }
                    });
        }
        boolean gpus = hardware.accelerators().stream().anyMatch(a -> a.kind() == Hardware.AcceleratorKind.GPU);
        return new GpuErrorMonitor(buses, config.kernelLog(), false, gpus ? new NvidiaSmiQuery(30_000) : null);
    }

    /** Runs until {@link #shutdown()}; never throws for control-plane failures. */
    public void run() {
        try {
            List<String> survivors = workers.reconcile();
            if (!survivors.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "still running from before the restart: " + survivors);
            }
            boolean registered = false;
            long delayMillis = backoff.initial().toMillis();
            boolean outage = false;
            while (stopping.getCount() > 0) {
                try {
                    if (!registered) {
                        register();
                        registered = true;
                    }
                    long sent = System.nanoTime();
                    boolean startedWork = heartbeat();
                    if (outage) {
                        LOG.log(System.Logger.Level.INFO, "control plane reachable again");
                        outage = false;
                    }
                    delayMillis = backoff.initial().toMillis();
                    if (!startedWork) {
                        // a held (long-poll) heartbeat has already waited; an immediate answer waits the interval
                        long elapsedMillis = (System.nanoTime() - sent) / 1_000_000;
                        pause(Math.max(0, heartbeatSeconds * 1000L - elapsedMillis));
                    }
                    // else: tell the control plane at once that the new workers run (and long-poll for more).
                    // This cannot spin: only a worker id never seen before counts as started, and the control
                    // plane stops sending a start once the worker is reported.
                } catch (ControlPlaneException e) {
                    if ((e.status() == 404 || e.status() == 401) && registered) {
                        LOG.log(System.Logger.Level.WARNING, "control plane does not know this agent or its token; registering again");
                        registered = false;
                        pause(backoff.initial().toMillis());
                        continue;
                    }
                    failedCalls.incrementAndGet();
                    if (!outage) {
                        LOG.log(System.Logger.Level.WARNING, e.getMessage()
                                + (e.retryable() ? "; retrying" : "; retrying (not a transient error: check the configuration)")
                                + "; workers keep running");
                        outage = true;
                    }
                    pause(backoff.pauseMillis(delayMillis, e.refused()));
                    delayMillis = backoff.nextDelayMillis(delayMillis);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "unexpected error in the agent loop; continuing", e);
                    pause(delayMillis);
                    delayMillis = backoff.nextDelayMillis(delayMillis);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    private void register() {
        RegisterRequest req = registration();
        client.useToken(config.token()); // the configured (possibly enrollment) token registers
        RegisterResponse resp = client.register(req);
        if (resp != null && resp.agentToken() != null) client.useToken(resp.agentToken());
        if (resp != null && resp.heartbeatIntervalSeconds() != null && resp.heartbeatIntervalSeconds() > 0) {
            heartbeatSeconds = resp.heartbeatIntervalSeconds();
        }
        // the hardware file's figures describe the simulated server; otherwise the inventory's apply
        PowerModel own = PowerModel.of(hardware.idlePowerWatts(), hardware.peakPowerWatts());
        if (own == null && resp != null) power.useModel(PowerModel.of(resp.idlePowerWatts(), resp.peakPowerWatts()));
        LOG.log(System.Logger.Level.INFO, "registered as " + (resp == null ? config.name() : resp.serverName())
                + " with " + hardware.cpuMillis() + " mCPU, " + hardware.memoryMib() + " MiB, "
                + hardware.accelerators().size() + " accelerator(s); heartbeat every " + heartbeatSeconds + " s");
    }

    RegisterRequest registration() {
        return new RegisterRequest(config.name(), config.effectiveRack(hardware.rack()), config.advertiseAddress(),
                hardware.cpuMillis(), hardware.memoryMib(), hardware.networkMbps(), hardware.labels(),
                hardware.accelerators().stream().map(a -> new RegisterRequest.AcceleratorInfo(a.index(), a.kind().name(),
                        a.vendor(), a.model(), a.memoryMib(), a.interconnectDomain(), "HEALTHY")).toList(),
                hardware.localDevices().stream().map(d -> new RegisterRequest.LocalDeviceInfo(d.name(), d.medium().name(),
                        d.capacityGib(), d.readMbPerSec(), d.writeMbPerSec())).toList(),
                workers.runningWorkerIds());
    }

    /**
     * One heartbeat, held by the control plane for up to the interval while it has nothing for this agent (see
     * {@link ControlPlaneClient#heartbeat(HeartbeatRequest, Duration)}). Returns true when it started a
     * worker it did not know before.
     */
    private boolean heartbeat() {
        List<WorkerReport> reports = workers.reports();
        if (reports.stream().anyMatch(WorkerReport::isFinal)) {
            // ship a finishing worker's last metrics and logs before its final state, so that a job the control
            // plane shows as ended also shows all of its epochs (best effort: a failure is retried by the shipper)
            workers.flush();
        }
        List<AcceleratorError> errors = gpuErrors.poll();
        String error = powerError;
        HeartbeatRequest.Usage usage = usage();
        HeartbeatRequest.Power watts = power.measure(utilisation(usage));
        HeartbeatResponse resp = client.heartbeat(new HeartbeatRequest(usage, acceleratorHealth(), reports, errors, watts,
                null, error), Duration.ofSeconds(heartbeatSeconds));
        workers.acknowledge(reports);
        gpuErrors.acknowledge(errors);
        if (error != null && error.equals(powerError)) powerError = null;
        for (String id : resp.stop()) {
            workers.stop(id, "stopped by the control plane");
        }
        boolean started = false;
        for (Assignment a : resp.start()) {
            String problem = problemWith(a);
            if (problem == null) {
                started |= workers.start(a);
            } else {
                workers.reject(a, problem);
            }
        }
        if (resp.suspend()) return suspend();
        return started;
    }

    /**
     * Carries out a suspend directive: says SUSPENDING in one more heartbeat (the control plane then shows the server
     * POWERED_OFF and confirms, unless the suspend was withdrawn meanwhile), runs the suspend command and waits for it, which for a real suspend lasts until the machine runs
     * again, then returns true so that the loop reports at once. Nothing is run while a worker runs here (the control
     * plane never asks then) or without a suspend command; a failure is reported in the next heartbeat.
     */
    private boolean suspend() {
        if (!workers.runningWorkerIds().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "asked to suspend while workers run here; not suspending");
            return false;
        }
        if (config.suspendCommand() == null) {
            powerError = "this agent has no --suspend-command";
            LOG.log(System.Logger.Level.WARNING, "asked to suspend, but no --suspend-command is configured");
            return true;
        }
        List<WorkerReport> reports = workers.reports();
        HeartbeatResponse confirmed = client.heartbeat(new HeartbeatRequest(usage(), acceleratorHealth(), reports,
                List.of(), null, "SUSPENDING", null));
        workers.acknowledge(reports);
        if (!confirmed.suspend()) {
            LOG.log(System.Logger.Level.INFO, "the suspend was withdrawn; not suspending");
            return true;
        }
        LOG.log(System.Logger.Level.INFO, "suspending this server: " + config.suspendCommand());
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", config.suspendCommand()).redirectErrorStream(true);
        pb.environment().put("BERTH_SERVER", config.name());
        try {
            Process p = pb.start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    LOG.log(System.Logger.Level.INFO, "suspend command: " + line);
                }
            }
            int exit = p.waitFor();
            if (exit != 0) {
                powerError = "suspend command exited with " + exit;
                LOG.log(System.Logger.Level.WARNING, powerError);
            } else {
                LOG.log(System.Logger.Level.INFO, "running again after the suspend command");
            }
        } catch (java.io.IOException e) {
            powerError = "suspend command could not run: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, powerError);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.countDown();
        }
        return true;
    }

    /** Why this agent cannot run the assignment, or null when it can. */
    String problemWith(Assignment a) {
        java.util.Set<Integer> here = new java.util.TreeSet<>();
        hardware.accelerators().forEach(acc -> here.add(acc.index()));
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (Integer gpu : a.gpuIndices()) {
            if (gpu == null || !here.contains(gpu)) {
                return "accelerator index " + gpu + " is not on this server (indices " + here + ")";
            }
            if (!seen.add(gpu)) {
                return "accelerator index " + gpu + " assigned twice";
            }
        }
        if (a.replicaIndex() < 0 || a.replicaIndex() >= a.worldSize()) {
            return "replicaIndex " + a.replicaIndex() + " is outside worldSize " + a.worldSize();
        }
        if (a.worldSize() > 1 && (a.masterAddr() == null || a.masterAddr().isBlank() || a.masterPort() == null
                || a.masterPort() < 1 || a.masterPort() > 65535)) {
            return "a multi-replica assignment needs masterAddr and a masterPort in 1..65535";
        }
        return null;
    }

    /**
     * Real NVIDIA GPUs are probed with nvidia-smi (at most every 30 s, see {@link GpuHealthProbe}); simulated
     * accelerators are HEALTHY. Either is UNHEALTHY while {@code nvidia-smi -q} reports it lost (for a simulated one:
     * its fault file). Errors are reported separately ({@link GpuErrorMonitor}); the control plane's policy decides
     * what they do to the device's health.
     */
    private List<HeartbeatRequest.AcceleratorHealth> acceleratorHealth() {
        List<Integer> indices = hardware.accelerators().stream().map(Hardware.Accelerator::index).toList();
        Map<Integer, String> lost = gpuErrors.lost();
        Map<Integer, Boolean> probed = hardware.simulated() || indices.isEmpty() ? Map.of() : gpuHealth.check(indices);
        return indices.stream().map(i -> {
            if (lost.containsKey(i)) return new HeartbeatRequest.AcceleratorHealth(i, "UNHEALTHY", lost.get(i));
            if (probed.getOrDefault(i, true)) return new HeartbeatRequest.AcceleratorHealth(i, "HEALTHY");
            return new HeartbeatRequest.AcceleratorHealth(i, "UNHEALTHY", "not listed by nvidia-smi or unreadable");
        }).toList();
    }

    /**
     * Simulated hardware: the CPU and memory reserved by running workers (the machine's real usage says
     * nothing about the simulated server). Real hardware: measured system CPU load and used memory.
     */
    private HeartbeatRequest.Usage usage() {
        if (hardware.simulated()) {
            WorkerManager.Reservation r = workers.reserved();
            return new HeartbeatRequest.Usage(r.cpuMillis(), r.memoryMib());
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double load = Math.max(0, os.getCpuLoad());
        long available = HardwareDiscovery.meminfoKib("MemAvailable").orElse(os.getFreeMemorySize() / 1024) / 1024;
        return new HeartbeatRequest.Usage(Math.round(load * hardware.cpuMillis()), Math.max(0, hardware.memoryMib() - available));
    }

    /**
     * The utilisation the power model interpolates by, 0..1: on a server with accelerators the share of them held by
     * running workers (GPUs x share), else CPU in use (as reported) over the server's CPU.
     */
    double utilisation(HeartbeatRequest.Usage usage) {
        int gpus = hardware.accelerators().size();
        if (gpus > 0) return Math.min(1, workers.reservedGpuMilli() / (1000.0 * gpus));
        return Math.min(1, (double) usage.cpuMillisUsed() / hardware.cpuMillis());
    }

    /** Register and heartbeat calls that failed so far (each is followed by a backoff pause). */
    long failedCalls() {
        return failedCalls.get();
    }

    private void pause(long millis) {
        try {
            stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.countDown();
        }
    }

    /** Stops the loop, stops all workers, flushes telemetry and sends a last heartbeat. Idempotent. */
    public void shutdown() {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        LOG.log(System.Logger.Level.INFO, "shutting down: stopping workers");
        stopping.countDown();
        try {
            stopped.await(stopWait.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.stopAll("agent shutting down", stopWait);
        workers.flush();
        try {
            List<WorkerReport> reports = workers.reports();
            client.heartbeat(new HeartbeatRequest(usage(), acceleratorHealth(), reports));
            workers.acknowledge(reports);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "last heartbeat failed; final states will be reported after the next start");
        }
        workers.close();
        LOG.log(System.Logger.Level.INFO, "agent stopped");
    }
}
