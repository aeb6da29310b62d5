package io.berth.api.agents;

import io.berth.core.protocol.Assignment;
import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.core.protocol.WorkerReport;
import io.berth.api.inventory.ServerStatus;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobQueue;
import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobService;
import io.berth.core.spec.JobSpec;
import io.berth.api.jobs.JobSpecs;
import io.berth.api.jobs.ServerWorkers;
import io.berth.api.jobs.WorkerRow;
import io.berth.api.jobs.WorkerState;
import io.berth.api.power.PowerManager;
import io.berth.api.power.PowerSavingProperties;
import io.berth.api.power.ServerEvents;
import io.berth.api.scheduling.SchedulerProperties;
import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The control plane's side of an agent's heartbeat: its server's liveness and power state, its workers' reports
 * reconciled with what is assigned to the server ({@link HeartbeatReconciler}), and the answer: the workers to start
 * and to stop. An agent may only speak about workers placed on its own server. Registration is
 * {@link AgentRegistration}; accelerator health, metrics and logs are {@link AgentTelemetry}.
 */
@Service
public class AgentService {
    private final JobLifecycle lifecycle;
    private final JobQueue jobs;
    private final ServerWorkers workers;
    private final JdbcClient jdbc;
    private final SchedulerProperties properties;
    private final ApplicationEventPublisher events;
    private final AgentTelemetry telemetry;
    private final PowerManager power;
    private final PowerSavingProperties powerSaving;
    private final ServerEvents serverEvents;
    private final ServerStatus status;

    AgentService(JobLifecycle lifecycle, JobQueue jobs, ServerWorkers workers, JdbcClient jdbc,
                 SchedulerProperties properties, ApplicationEventPublisher events, AgentTelemetry telemetry,
                 PowerManager power, PowerSavingProperties powerSaving, ServerEvents serverEvents,
                 ServerStatus status) {
        this.status = status;
        this.lifecycle = lifecycle;
        this.jobs = jobs;
        this.workers = workers;
        this.jdbc = jdbc;
        this.properties = properties;
        this.events = events;
        this.telemetry = telemetry;
        this.power = power;
        this.powerSaving = powerSaving;
        this.serverEvents = serverEvents;
    }

    /**
     * Applies the agent's worker reports and answers with the workers to start and to stop, and, while its server
     * is POWERING_OFF and suspending is the agent's job, with the suspend directive.
     *
     * <p>Power states: a heartbeat makes a RESUMING server READY; one saying SUSPENDING makes a POWERING_OFF server
     * POWERED_OFF; one with a powerError makes a POWERING_OFF or POWERED_OFF server READY (the suspend failed). Any
     * other heartbeat from a POWERED_OFF server makes it READY (it was woken by other means), except within a heartbeat
     * timeout of the suspend, while the machine may still be going down.
     *
     * <p>Power draw (V15), on the same UPDATE: a report becomes the server's latest figure and adds to its energy
     * counter the trapezoid between the previous report and this one ((previous W + this W) / 2 x the seconds between
     * them, the interval capped at the heartbeat timeout so that after an outage a stale figure is not stretched over
     * it; the first report adds nothing). A held heartbeat re-run on wake-up applies its report again, which extends
     * the same figure over the time since: still the integral of the latest figure. A heartbeat without power changes
     * none of it. An invalid report (see {@link HeartbeatRequest.Power}) is a 400 and the whole heartbeat is rolled back.
     */
    @Transactional
    public HeartbeatResponse heartbeat(String name, HeartbeatRequest request) {
        HeartbeatRequest.Power draw = request.power();
        if (draw != null) checkPower(draw);
        boolean gpuPower = draw != null && draw.gpuWatts() != null && !draw.gpuWatts().isEmpty();
        if (request.powerError() != null) power.suspendFailed(name, request.powerError());
        boolean suspending = "SUSPENDING".equals(request.powerState());
        ServerStateChange beat = status.heartbeat(name, suspending, properties.heartbeatTimeoutSeconds(),
                        draw == null ? null : draw.serverWatts(), draw == null ? null : draw.source(), gpuPower)
                .map(ServerStateChange::of).orElseThrow(() -> NotFound.of("server", name));
        long serverId = beat.id();
        if (gpuPower) checkGpuIndices(draw, beat.acceleratorIndices());
        if (beat.changed()) {
            status.heartbeatChangedState(serverId, !beat.before().equals("NOT_READY"));
            beat.recordPowerEvent(serverEvents, name, "its agent reports again");
        }
        boolean changed = beat.changed();
        changed |= telemetry.acceleratorsReported(serverId, name, request.errors(), request.acceleratorHealth());
        Workers reconciled = reconcile(serverId, request.workers());
        changed |= reconciled.changed();
        if (changed) {
            events.publishEvent(new JobService.SchedulingNeeded());
        } else {
            // Only the time of the heartbeat (and its power report) was written: soft state that the next heartbeat
            // writes again. Such a commit need not wait for the WAL flush; a machine crash may lose it (and the energy
            // of one interval), never a worker's or a job's state (synchronous_commit is per transaction, and these
            // wrote none).
            jdbc.sql("SET LOCAL synchronous_commit = off").update();
        }
        // the directive, and its confirmation to a heartbeat saying SUSPENDING (the agent suspends only then, so an
        // operator who made the server READY meanwhile is not overridden)
        boolean suspend = powerSaving.suspendByAgent() && (beat.after().equals("POWERING_OFF")
                || (suspending && beat.before().equals("POWERING_OFF") && beat.after().equals("POWERED_OFF")));
        return new HeartbeatResponse(reconciled.start(), reconciled.stop(), suspend);
    }

    private record Workers(List<Assignment> start, List<String> stop, boolean changed) {
    }

    /**
     * Applies a transition with the row this heartbeat read, so the worker is not looked up again; a row changed since
     * by an earlier transition (a failed attempt stops its siblings) is safe, as the lifecycle's UPDATEs check the
     * state they move from. A worker this heartbeat did not read is looked up.
     */
    private boolean apply(Map<UUID, WorkerRow> read, HeartbeatReconciler.Transition t) {
        WorkerRow w = read.get(t.workerId());
        return w != null ? lifecycle.workerReported(w, t.to(), t.exitCode(), t.message())
                : lifecycle.workerReported(t.workerId(), t.to(), t.exitCode(), t.message());
    }

    /**
     * The workers of a heartbeat ({@link HeartbeatReconciler}): one read of the server's active workers (and one
     * lookup of each reported worker that is not among them: finished, or not this server's), the reports' transitions,
     * a second read only if they changed anything, then the transitions of the workers the agent does not report.
     */
    private Workers reconcile(long serverId, List<WorkerReport> wire) {
        Map<UUID, HeartbeatReconciler.Report> reports = new LinkedHashMap<>();
        for (WorkerReport r : wire) {
            UUID id = UUID.fromString(r.workerId());
            reports.put(id, new HeartbeatReconciler.Report(id, WorkerState.valueOf(r.state().name()), r.exitCode(), r.message()));
        }
        List<WorkerRow> active = workers.ofServer(serverId, WorkerState.ACTIVE);
        Map<UUID, WorkerState> ours = new HashMap<>();
        Map<UUID, WorkerRow> read = new HashMap<>();
        for (WorkerRow w : active) {
            if (reports.containsKey(w.id())) {
                ours.put(w.id(), w.state());
                read.put(w.id(), w);
            }
        }
        for (UUID id : reports.keySet()) {
            if (!ours.containsKey(id))
                workers.find(id).filter(w -> w.serverId() == serverId).ifPresent(w -> {
                    ours.put(w.id(), w.state());
                    read.put(w.id(), w);
                });
        }
        HeartbeatReconciler.ReportsOutcome reported = HeartbeatReconciler.reports(reports.values(), ours);
        boolean changed = false;
        for (HeartbeatReconciler.Transition t : reported.transitions())
            changed |= apply(read, t);
        // a report may have changed other workers here (a failed attempt stops its siblings)
        if (!reported.transitions().isEmpty()) active = workers.ofServer(serverId, WorkerState.ACTIVE);
        Map<UUID, WorkerRow> fresh = new HashMap<>();
        for (WorkerRow w : active) fresh.put(w.id(), w);
        HeartbeatReconciler.Directives directives = HeartbeatReconciler.assignments(
                active.stream().map(w -> new HeartbeatReconciler.Stored(w.id(), w.state())).toList(), ours.keySet(),
                reports);
        for (HeartbeatReconciler.Transition t : directives.transitions()) {
            apply(fresh, t);
            changed = true;
        }
        List<Assignment> start = new ArrayList<>();
        if (!directives.start().isEmpty()) {
            Map<UUID, WorkerRow> byId = new HashMap<>();
            for (WorkerRow w : active) byId.put(w.id(), w);
            for (UUID id : directives.start()) start.add(assignment(byId.get(id)));
        }
        List<String> stop = new ArrayList<>();
        for (HeartbeatReconciler.Stop s : reported.stop()) stop.add(s.workerId().toString());
        for (HeartbeatReconciler.Stop s : directives.stop()) stop.add(s.workerId().toString());
        return new Workers(start, stop, changed);
    }

    /** The rules of {@link HeartbeatRequest.Power} that Bean Validation cannot express; 400 naming each field. */
    private static void checkPower(HeartbeatRequest.Power p) {
        List<FieldError> errors = new ArrayList<>();
        List<HeartbeatRequest.GpuWatts> gpus = p.gpuWatts() == null ? List.of() : p.gpuWatts();
        boolean smi = p.source().contains("nvidia-smi");
        boolean rapl = p.source().contains("rapl");
        if (smi == gpus.isEmpty())
            errors.add(new FieldError("power.gpuWatts", smi
                    ? "must list the GPUs measured when the source is " + p.source()
                    : "must be empty when the source is " + p.source()));
        if (rapl != (p.cpuWatts() != null))
            errors.add(new FieldError("power.cpuWatts", rapl
                    ? "is required when the source is " + p.source()
                    : "must be null when the source is " + p.source()));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < gpus.size(); i++) {
            if (!seen.add(gpus.get(i).index()))
                errors.add(new FieldError("power.gpuWatts[" + i + "].index",
                        "duplicate accelerator index " + gpus.get(i).index()));
        }
        if (!errors.isEmpty()) throw Invalid.fields(errors);
    }

    private static void checkGpuIndices(HeartbeatRequest.Power p, List<Integer> indices) {
        Set<Integer> here = new HashSet<>(indices);
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < p.gpuWatts().size(); i++) {
            int index = p.gpuWatts().get(i).index();
            if (!here.contains(index))
                errors.add(new FieldError("power.gpuWatts[" + i + "].index",
                        "the server has no accelerator " + index + " (indices " + new java.util.TreeSet<>(here) + ")"));
        }
        if (!errors.isEmpty()) throw Invalid.fields(errors);
    }

    private Assignment assignment(WorkerRow w) {
        JobRow job = jobs.find(w.jobId()).orElseThrow();
        JobSpec spec = JobSpecs.spec(job);
        // one directory per job, shared by all ranks and attempts: replicas agree on where to resume from it
        String checkpoint = Path.of(properties.checkpointRoot()).toAbsolutePath().resolve(job.id().toString()).toString();
        boolean multi = w.worldSize() > 1;
        return new Assignment(w.id().toString(), job.id().toString(), job.name(), w.attempt(),
                w.taskGroup(), w.rank(), w.worldSize(), multi ? w.masterAddr() : null, multi ? w.masterPort() : null,
                w.gpuIndices(), w.milliGpu(), w.cpuMillis(), w.memoryMib(), checkpoint, spec.runtime(), spec.maxRunSeconds());
    }
}
