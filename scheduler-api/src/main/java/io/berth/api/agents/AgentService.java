package io.berth.api.agents;

import io.berth.api.agents.AgentProtocol.HeartbeatRequest;
import io.berth.api.agents.AgentProtocol.HeartbeatResponse;
import io.berth.api.agents.AgentProtocol.RegisterRequest;
import io.berth.api.agents.AgentProtocol.RegisterResponse;
import io.berth.api.agents.AgentProtocol.WorkerReport;
import io.berth.api.health.AcceleratorHealthService;
import io.berth.api.inventory.AcceleratorSpec;
import io.berth.api.inventory.InventoryService;
import io.berth.api.inventory.LocalDeviceSpec;
import io.berth.api.inventory.ServerSpec;
import io.berth.api.inventory.ServerView;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobRepository;
import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobService;
import io.berth.api.jobs.JobSpec;
import io.berth.api.jobs.JobSpecs;
import io.berth.api.jobs.WorkerRepository;
import io.berth.api.jobs.WorkerRow;
import io.berth.api.jobs.WorkerState;
import io.berth.api.power.PowerManager;
import io.berth.api.power.PowerSavingProperties;
import io.berth.api.power.ServerEvents;
import io.berth.api.scheduling.SchedulerProperties;
import io.berth.api.web.ApiException;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.ServerState;
import io.berth.core.inventory.StorageMedium;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The control plane's side of the agent protocol: registration, heartbeats (reports in, assignments and stops out),
 * metrics and logs. An agent may only speak about workers placed on its own server.
 */
@Service
public class AgentService {
    private static final Logger log = LoggerFactory.getLogger(AgentService.class);

    private final InventoryService inventory;
    private final JobLifecycle lifecycle;
    private final JobRepository jobs;
    private final WorkerRepository workers;
    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final SchedulerProperties properties;
    private final ApplicationEventPublisher events;
    private final AcceleratorHealthService acceleratorHealth;
    private final PowerManager power;
    private final PowerSavingProperties powerSaving;
    private final ServerEvents serverEvents;

    AgentService(InventoryService inventory, JobLifecycle lifecycle, JobRepository jobs, WorkerRepository workers,
                 JdbcClient jdbc, JdbcTemplate template, SchedulerProperties properties,
                 ApplicationEventPublisher events, AcceleratorHealthService acceleratorHealth, PowerManager power,
                 PowerSavingProperties powerSaving, ServerEvents serverEvents) {
        this.power = power;
        this.powerSaving = powerSaving;
        this.serverEvents = serverEvents;
        this.acceleratorHealth = acceleratorHealth;
        this.inventory = inventory;
        this.lifecycle = lifecycle;
        this.jobs = jobs;
        this.workers = workers;
        this.jdbc = jdbc;
        this.template = template;
        this.properties = properties;
        this.events = events;
    }

    /**
     * Creates or updates the agent's server ({@link InventoryService#registerAgentServer}): a server the agent
     * described gets its hardware changes (keeping the operator's state and the usage counters; removing or shrinking
     * held resources is a 409); a server an operator described is adopted as it is if the agent's hardware covers it,
     * else 409 with the differences. A NOT_READY server becomes READY. Workers placed here that the agent no longer
     * runs are LOST.
     */
    @Transactional
    public RegisterResponse register(RegisterRequest r) {
        // an agent may announce a rack the operator has not described yet (created in the default zone when written)
        String rack = r.rack() == null ? ServerSpec.DEFAULT_RACK : r.rack();
        ServerView stored = inventory.findServer(r.name()).orElse(null);
        ServerState state = stored == null ? ServerState.READY : stored.state();
        ServerSpec spec = new ServerSpec(r.name(), rack, r.cpuMillis(), r.memoryMib(), r.networkMbps(), r.labels(),
                state, stored == null ? null : stored.idlePowerWatts(), stored == null ? null : stored.peakPowerWatts(),
                accelerators(r), devices(r));
        InventoryService.AgentRegistration registration = inventory.registerAgentServer(spec);
        // an agent that registers runs: a server that was powered off (or resuming) is on again
        StateChange change = jdbc.sql("""
                        UPDATE servers s SET agent_address = ?, agent_last_seen = now(),
                            state = CASE WHEN s.state IN ('NOT_READY', 'POWERED_OFF', 'RESUMING') THEN 'READY'
                                         ELSE s.state END,
                            version = s.version + CASE WHEN s.state IN ('NOT_READY', 'POWERED_OFF', 'RESUMING')
                                                         OR s.agent_last_seen IS NULL THEN 1 ELSE 0 END
                        FROM (SELECT id, state FROM servers WHERE name = ? FOR UPDATE) old WHERE s.id = old.id
                        RETURNING s.id, old.state, s.state""")
                .params(r.address() == null || r.address().isBlank() ? r.name() : r.address(), r.name())
                .query((rs, n) -> new StateChange(rs.getLong(1), rs.getString(2), rs.getString(3))).single();
        powerStateChanged(r.name(), change, "its agent registered");
        long serverId = change.id();
        Set<String> running = new HashSet<>(r.runningWorkerIds() == null ? List.of() : r.runningWorkerIds());
        for (WorkerRow w : workers.ofServer(serverId, EnumSet.of(WorkerState.RUNNING, WorkerState.STOPPING))) {
            if (!running.contains(w.id().toString()))
                lifecycle.workerReported(w.id(), WorkerState.LOST, null, "agent " + r.name() + " restarted without it");
        }
        log.info("agent {} registered ({} accelerators, address {}; server {})", r.name(),
                r.accelerators() == null ? 0 : r.accelerators().size(), r.address(),
                registration.name().toLowerCase(Locale.ROOT));
        events.publishEvent(new JobService.SchedulingNeeded());
        return new RegisterResponse(r.name(), properties.heartbeatIntervalSeconds(), null);
    }

    /** A server row's state before and after a statement. */
    private record StateChange(long id, String before, String after) {
        boolean changed() {
            return !before.equals(after);
        }
    }

    /**
     * Applies the agent's worker reports and answers with the workers to start and to stop, and, while its server
     * is POWERING_OFF and suspending is the agent's job, with the suspend directive.
     *
     * <p>Power states: a heartbeat makes a RESUMING server READY; one saying SUSPENDING makes a POWERING_OFF server
     * POWERED_OFF; one with a powerError makes a POWERING_OFF or POWERED_OFF server READY (the suspend failed). Any
     * other heartbeat from a POWERED_OFF server makes it READY (it was woken by other means), except within a heartbeat
     * timeout of the suspend, while the machine may still be going down.
     */
    @Transactional
    public HeartbeatResponse heartbeat(String name, HeartbeatRequest request) {
        if (request.powerError() != null) power.suspendFailed(name, request.powerError());
        boolean suspending = "SUSPENDING".equals(request.power());
        StateChange beat = jdbc.sql("""
                        UPDATE servers s SET agent_last_seen = now(),
                            state = CASE WHEN s.state IN ('NOT_READY', 'RESUMING') THEN 'READY'
                                         WHEN s.state = 'POWERING_OFF' AND ? THEN 'POWERED_OFF'
                                         WHEN s.state = 'POWERED_OFF' AND NOT ?
                                              AND s.power_changed_at < now() - make_interval(secs => ?) THEN 'READY'
                                         ELSE s.state END
                        FROM (SELECT id, state FROM servers WHERE name = ? FOR UPDATE) old WHERE s.id = old.id
                        RETURNING s.id, old.state, s.state""")
                .params(suspending, suspending, properties.heartbeatTimeoutSeconds(), name)
                .query((rs, n) -> new StateChange(rs.getLong(1), rs.getString(2), rs.getString(3))).optional()
                .orElseThrow(() -> ApiException.notFound("server", name));
        long serverId = beat.id();
        if (beat.changed()) {
            jdbc.sql("""
                            UPDATE servers SET version = version + 1, updated_at = now(),
                                state_reason = CASE WHEN state = 'READY' THEN NULL ELSE state_reason END,
                                power_changed_at = CASE WHEN ? THEN now() ELSE power_changed_at END
                            WHERE id = ?""").params(!beat.before().equals("NOT_READY"), serverId).update();
            powerStateChanged(name, beat, "its agent reports again");
        }
        boolean changed = beat.changed();
        // errors first: a job whose GPU failed is requeued without counting a failure before the same heartbeat
        // reports its worker failed
        if (request.errors() != null && !request.errors().isEmpty())
            changed = acceleratorHealth.errorsReported(serverId, name, request.errors());
        if (request.acceleratorHealth() != null) {
            for (AgentProtocol.AcceleratorHealth h : request.acceleratorHealth()) {
                // the agent's probe decides only while neither the health policy nor an operator has (latched)
                int n = jdbc.sql("""
                                UPDATE accelerators SET health = ?, health_reason = ?, health_changed_at = now()
                                WHERE server_id = ? AND idx = ? AND health <> ? AND NOT health_latched""")
                        .params(h.health(), h.health().equals("HEALTHY") ? null : h.reason(), serverId, h.index(),
                                h.health()).update();
                if (n > 0) {
                    jdbc.sql("UPDATE servers SET version = version + 1 WHERE id = ?").param(serverId).update();
                    changed = true;
                }
            }
        }
        Map<UUID, WorkerReport> reported = new HashMap<>();
        for (WorkerReport report : request.workers() == null ? List.<WorkerReport>of() : request.workers()) {
            reported.put(UUID.fromString(report.workerId()), report);
        }
        List<String> stop = new ArrayList<>();
        for (Map.Entry<UUID, WorkerReport> e : reported.entrySet()) {
            WorkerRow w = workers.find(e.getKey()).orElse(null);
            if (w == null || w.serverId() != serverId) {
                // not ours (or unknown): never let an agent change another server's workers; tell it to stop
                if (!e.getValue().state().equals("SUCCEEDED") && !e.getValue().state().equals("FAILED"))
                    stop.add(e.getKey().toString());
                continue;
            }
            WorkerReport r = e.getValue();
            changed |= lifecycle.workerReported(w.id(), WorkerState.valueOf(r.state()), r.exitCode(), r.message());
        }
        List<AgentProtocol.Assignment> start = new ArrayList<>();
        for (WorkerRow w : workers.ofServer(serverId, WorkerState.ACTIVE)) {
            WorkerReport r = reported.get(w.id());
            switch (w.state()) {
                case ASSIGNED -> {
                    if (r == null) start.add(assignment(w));
                }
                case STOPPING -> {
                    if (r == null) {
                        // the agent does not run it (any more): it has stopped
                        lifecycle.workerReported(w.id(), WorkerState.STOPPED, null, "not running on the agent");
                        changed = true;
                    } else {
                        stop.add(w.id().toString());
                    }
                }
                default -> {
                    if (r == null) {
                        lifecycle.workerReported(w.id(), WorkerState.LOST, null, "the agent no longer runs it");
                        changed = true;
                    }
                }
            }
        }
        // workers the agent reports running but that ended here (cancelled, lost and requeued...)
        for (Map.Entry<UUID, WorkerReport> e : reported.entrySet()) {
            if (!e.getValue().state().equals("RUNNING")) continue;
            workers.find(e.getKey()).filter(w -> w.serverId() == serverId && w.state().terminal())
                    .ifPresent(w -> stop.add(w.id().toString()));
        }
        if (changed) {
            events.publishEvent(new JobService.SchedulingNeeded());
        } else {
            // Only the time of the heartbeat was written: soft state that the next heartbeat writes again. Such a
            // commit need not wait for the WAL flush; a machine crash may lose it, never a worker's or a job's state
            // (synchronous_commit is per transaction, and these wrote none).
            jdbc.sql("SET LOCAL synchronous_commit = off").update();
        }
        // the directive, and its confirmation to a heartbeat saying SUSPENDING (the agent suspends only then, so an
        // operator who made the server READY meanwhile is not overridden)
        boolean suspend = powerSaving.suspendByAgent() && (beat.after().equals("POWERING_OFF")
                || (suspending && beat.before().equals("POWERING_OFF") && beat.after().equals("POWERED_OFF")));
        return new HeartbeatResponse(start, stop, suspend);
    }

    /** The server event of a power state change made by an agent's report (none for other changes). */
    private void powerStateChanged(String name, StateChange c, String why) {
        if (!c.changed()) return;
        String event = switch (c.before() + "->" + c.after()) {
            case "RESUMING->READY" -> "resumed: " + why;
            case "POWERED_OFF->READY" -> "powered on: " + why;
            case "POWERING_OFF->POWERED_OFF" -> "powered off: its agent runs the suspend command";
            default -> null;
        };
        if (event == null) return;
        serverEvents.record(name, event);
        log.info("server {} {}: {}", name, c.after(), event);
    }

    @Transactional
    public void metrics(String name, UUID workerId, AgentProtocol.MetricsReport m) {
        WorkerRow w = ownWorker(name, workerId);
        jdbc.sql("""
                        INSERT INTO job_metrics (worker_id, job_id, epoch, loss, accuracy, samples_per_second)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (worker_id, epoch) DO UPDATE SET loss = excluded.loss, accuracy = excluded.accuracy,
                            samples_per_second = excluded.samples_per_second, at = now()""")
                .params(w.id(), w.jobId(), m.epoch(), m.loss(), m.accuracy(), m.samplesPerSecond()).update();
    }

    @Transactional
    public void logs(String name, UUID workerId, AgentProtocol.LogBatch batch) {
        WorkerRow w = ownWorker(name, workerId);
        template.batchUpdate("INSERT INTO worker_logs (job_id, worker_id, line) VALUES (?, ?, ?)",
                batch.lines().stream().map(l -> new Object[]{w.jobId(), w.id(), l.replace("\u0000", "")}).toList());
    }

    private WorkerRow ownWorker(String name, UUID workerId) {
        long serverId = serverId(name);
        WorkerRow w = workers.find(workerId).orElseThrow(() -> ApiException.notFound("worker", workerId.toString()));
        if (w.serverId() != serverId) throw ApiException.notFound("worker", workerId.toString());
        return w;
    }

    private long serverId(String name) {
        return jdbc.sql("SELECT id FROM servers WHERE name = ?").param(name).query(Long.class).optional()
                .orElseThrow(() -> ApiException.notFound("server", name));
    }

    private AgentProtocol.Assignment assignment(WorkerRow w) {
        JobRow job = jobs.find(w.jobId()).orElseThrow();
        JobSpec spec = JobSpecs.spec(job);
        JobSpec.RuntimeSpec rt = spec.runtime();
        AgentProtocol.Runtime runtime = new AgentProtocol.Runtime(rt.type().name(), rt.embedded(),
                rt.process() == null ? null : new AgentProtocol.ProcessSpec(rt.process().argv(), rt.process().env(),
                        rt.process().workingDir()));
        // one directory per job, shared by all ranks and attempts: replicas agree on where to resume from it
        String checkpoint = Path.of(properties.checkpointRoot()).toAbsolutePath().resolve(job.id().toString()).toString();
        boolean multi = w.worldSize() > 1;
        return new AgentProtocol.Assignment(w.id().toString(), job.id().toString(), job.name(), w.attempt(),
                w.taskGroup(), w.rank(), w.worldSize(), multi ? w.masterAddr() : null, multi ? w.masterPort() : null,
                w.gpuIndices(), w.milliGpu(), w.cpuMillis(), w.memoryMib(), checkpoint, runtime, spec.maxRunSeconds());
    }

    private static List<AcceleratorSpec> accelerators(RegisterRequest r) {
        if (r.accelerators() == null) return List.of();
        return r.accelerators().stream().map(a -> new AcceleratorSpec(a.index(), AcceleratorKind.valueOf(a.kind()),
                a.vendor() == null ? "" : a.vendor(), a.model(), (int) a.memoryMib(), a.interconnectDomain(),
                a.health() == null ? AcceleratorHealth.HEALTHY : AcceleratorHealth.valueOf(a.health()))).toList();
    }

    private static List<LocalDeviceSpec> devices(RegisterRequest r) {
        if (r.localDevices() == null) return List.of();
        return r.localDevices().stream().map(d -> new LocalDeviceSpec(d.name(), StorageMedium.valueOf(d.medium()),
                d.capacityGib(), (int) d.readMbPerSec(), (int) d.writeMbPerSec())).toList();
    }
}
