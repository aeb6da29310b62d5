package io.berth.api.agents;

import io.berth.core.protocol.RegisterRequest;
import io.berth.core.protocol.RegisterResponse;
import io.berth.api.inventory.AcceleratorSpec;
import io.berth.api.inventory.InventoryService;
import io.berth.api.inventory.LocalDeviceSpec;
import io.berth.api.inventory.ServerSpec;
import io.berth.api.inventory.ServerStatus;
import io.berth.api.inventory.ServerView;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobService;
import io.berth.api.jobs.ServerWorkers;
import io.berth.api.jobs.WorkerRow;
import io.berth.api.jobs.WorkerState;
import io.berth.api.power.ServerEvents;
import io.berth.api.scheduling.SchedulerProperties;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.ServerState;
import io.berth.core.inventory.StorageMedium;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** An agent's registration: its server in the inventory, and the workers it no longer runs after a restart. */
@Service
class AgentRegistration {
    private static final Logger log = LoggerFactory.getLogger(AgentRegistration.class);

    private final InventoryService inventory;
    private final JobLifecycle lifecycle;
    private final ServerWorkers workers;
    private final ServerStatus status;
    private final SchedulerProperties properties;
    private final ApplicationEventPublisher events;
    private final ServerEvents serverEvents;

    AgentRegistration(InventoryService inventory, JobLifecycle lifecycle, ServerWorkers workers, ServerStatus status,
                      SchedulerProperties properties, ApplicationEventPublisher events, ServerEvents serverEvents) {
        this.inventory = inventory;
        this.lifecycle = lifecycle;
        this.workers = workers;
        this.status = status;
        this.properties = properties;
        this.events = events;
        this.serverEvents = serverEvents;
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
        ServerStateChange change = ServerStateChange.of(status.agentRegistered(r.name(),
                r.address() == null || r.address().isBlank() ? r.name() : r.address()));
        change.recordPowerEvent(serverEvents, r.name(), "its agent registered");
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
        // the inventory's power figures (kept by the registration), for the agent's power model
        Integer idle = stored == null || stored.idlePowerWatts() <= 0 ? null : stored.idlePowerWatts();
        Integer peak = stored == null || stored.peakPowerWatts() <= 0 ? null : stored.peakPowerWatts();
        return new RegisterResponse(r.name(), properties.heartbeatIntervalSeconds(), null, idle, peak);
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
