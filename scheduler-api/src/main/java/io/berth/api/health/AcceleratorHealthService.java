package io.berth.api.health;

import io.berth.api.errors.NotFound;
import io.berth.api.inventory.InventoryService;
import io.berth.api.inventory.ServerStatus;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.ServerWorkers;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.ServerState;
import io.berth.core.protocol.AcceleratorError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Acts on the accelerator errors agents report, by the {@link HealthPolicy}, and lets operators set an accelerator's
 * health. Every error is recorded once per key (a repeated report changes nothing), logged, and counted in
 * {@code berth_accelerator_errors_total{class, policy}}.
 */
@Service
public class AcceleratorHealthService {
    private static final Logger log = LoggerFactory.getLogger(AcceleratorHealthService.class);

    private final JdbcClient jdbc;
    private final HealthPolicy policy;
    private final JobLifecycle lifecycle;
    private final InventoryService inventory;
    private final ServerStatus status;
    private final ServerWorkers workers;
    private final MeterRegistry meters;

    AcceleratorHealthService(JdbcClient jdbc, HealthPolicy policy, JobLifecycle lifecycle, InventoryService inventory,
                             ServerStatus status, ServerWorkers workers, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.policy = policy;
        this.lifecycle = lifecycle;
        this.inventory = inventory;
        this.status = status;
        this.workers = workers;
        this.meters = meters;
    }

    /**
     * Applies the errors one agent reported, in its heartbeat's transaction. Errors of accelerators the server does
     * not have are ignored (logged). Returns true when a new error was recorded, so that the heartbeat's transaction
     * commits durably (the agent forgets an error once a heartbeat delivered it).
     */
    @Transactional
    public boolean errorsReported(long serverId, String serverName, List<AcceleratorError> errors) {
        boolean changed = false;
        for (AcceleratorError e : errors) {
            String model = status.acceleratorModel(serverId, e.index()).orElse(null);
            if (model == null) {
                log.warn("agent {} reported {} for accelerator {}, which the server does not have; ignored", serverName,
                        e.errorClass(), e.index());
                continue;
            }
            Set<HealthPolicy.Action> actions = policy.actionsFor(e.errorClass());
            String rule = policy.keyFor(e.errorClass()) + " = " + HealthPolicy.describe(actions);
            Long id = jdbc.sql("""
                            INSERT INTO accelerator_errors (server_id, idx, error_class, error_key, message, actions, outcome)
                            VALUES (?, ?, ?, ?, ?, ?, '') ON CONFLICT (server_id, idx, error_key) DO NOTHING RETURNING id""")
                    .params(serverId, e.index(), e.errorClass(), e.key(), e.message(), HealthPolicy.describe(actions))
                    .query(Long.class).optional().orElse(null);
            if (id == null) continue; // seen before
            changed = true;
            String device = "GPU " + e.index() + " (" + model + ") of server " + serverName;
            String why = device + ": " + e.message() + " [policy " + rule + "]";
            List<String> outcome = new ArrayList<>();
            if (actions.contains(HealthPolicy.Action.UNHEALTHY)) {
                status.acceleratorFailed(serverId, e.index(), e.errorClass() + ": " + e.message() + " [policy " + rule + "]");
                outcome.add("marked UNHEALTHY");
                changed = true;
            }
            if (actions.contains(HealthPolicy.Action.REQUEUE)) {
                for (ServerWorkers.JobName job : workers.jobsOnGpu(serverId, e.index())) {
                    if (lifecycle.requeueAfterHardwareError(job.id(), "requeued to resume from its "
                            + "checkpoint, without counting a failure: " + why)) {
                        outcome.add("requeued job " + job.name() + " (" + job.id() + ")");
                        changed = true;
                    }
                }
            }
            if (actions.contains(HealthPolicy.Action.DRAIN_SERVER)) {
                // a server already out of service (draining, drained, down, not ready) keeps its state
                ServerState state = status.state(serverId);
                if (state == ServerState.READY || state == ServerState.CORDONED) {
                    String reason = "GPU " + e.index() + ": " + e.errorClass() + ", " + e.message();
                    outcome.add("server " + inventory.drain(serverName,
                            reason.length() <= 500 ? reason : reason.substring(0, 497) + "...").state());
                    changed = true;
                } else {
                    outcome.add("server already " + state);
                }
            }
            String summary = outcome.isEmpty() ? "recorded" : String.join("; ", outcome);
            jdbc.sql("UPDATE accelerator_errors SET outcome = ? WHERE id = ?").params(summary, id).update();
            Counter.builder("berth.accelerator.errors")
                    .description("Accelerator errors reported by agents, by error class and the policy applied")
                    .tag("class", e.errorClass()).tag("policy", HealthPolicy.describe(actions))
                    .register(meters).increment();
            log.warn("accelerator error: {} -> {}", why, summary);
        }
        return changed;
    }

    /** An accelerator's health, why, and its latest errors (newest first, at most 50). */
    public record HealthView(String server, int index, String model, AcceleratorHealth health, String reason,
                             boolean latched, OffsetDateTime changedAt, List<ErrorView> errors) {
    }

    /** @param actions the policy applied; @param outcome what it did */
    public record ErrorView(OffsetDateTime at, String errorClass, String message, String actions, String outcome) {
    }

    /**
     * @param health HEALTHY puts the accelerator back in service (its server's state is left alone: POST
     *               /servers/{name}/ready undoes a drain); DEGRADED or UNHEALTHY take it out until set again
     * @param reason optional, recorded as the health reason
     */
    public record HealthChange(@jakarta.validation.constraints.NotNull AcceleratorHealth health,
                               @jakarta.validation.constraints.Size(max = 1024) String reason) {
    }

    @Transactional(readOnly = true)
    public HealthView health(String server, int index) {
        ServerStatus.AcceleratorStatus device = status.accelerator(server, index)
                .orElseThrow(() -> notFound(server, index));
        List<ErrorView> errors = jdbc.sql("""
                        SELECT at, error_class, message, actions, outcome FROM accelerator_errors
                        WHERE server_id = ? AND idx = ? ORDER BY id DESC LIMIT 50""")
                .params(device.serverId(), index)
                .query((rs, n) -> new ErrorView(rs.getObject("at", OffsetDateTime.class), rs.getString("error_class"),
                        rs.getString("message"), rs.getString("actions"), rs.getString("outcome"))).list();
        return new HealthView(server, index, device.model(), device.health(), device.reason(), device.latched(),
                device.changedAt(), errors);
    }

    /** An operator sets the health; it stays so, whatever the agent reports, until set again (HEALTHY unlatches). */
    @Transactional
    public HealthView setHealth(String server, int index, HealthChange change, String by) {
        boolean healthy = change.health() == AcceleratorHealth.HEALTHY;
        String reason = change.reason() == null || change.reason().isBlank()
                ? (healthy ? null : "set " + change.health() + " by " + by)
                : change.reason() + " (set " + change.health() + " by " + by + ")";
        if (!status.setAcceleratorHealth(server, index, change.health(), !healthy, reason)) throw notFound(server, index);
        log.info("accelerator {} of server {} set {} by {}{}", index, server, change.health(), by,
                change.reason() == null ? "" : ": " + change.reason());
        return health(server, index);
    }

    private static NotFound notFound(String server, int index) {
        return NotFound.of("accelerator", server + "/" + index);
    }
}
