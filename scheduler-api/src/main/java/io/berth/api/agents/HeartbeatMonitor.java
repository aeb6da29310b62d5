package io.berth.api.agents;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.inventory.ServerStatus;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobQueue;
import io.berth.api.jobs.JobService;
import io.berth.api.leader.Leadership;
import io.berth.api.scheduling.SchedulerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Housekeeping once a second, on the leader only: a server whose agent has been silent longer than the heartbeat
 * timeout becomes NOT_READY and its workers are LOST (their jobs requeued or failed); jobs past their maximum run time
 * fail; DRAINING servers whose work has ended become DRAINED.
 *
 * <p>Silence is counted from the later of the agent's last heartbeat and the moment this process could last hear it:
 * when it became leader, or when the database came back after an outage. Agents cannot reach a control plane that
 * is down, so a restart, a fail-over or a database outage never makes running work look lost; a server is declared
 * NOT_READY only after it stayed silent for a whole timeout while this process was listening.
 *
 * <p>Each server and each job is handled in its own transaction: a row that fails is logged and skipped, so one bad
 * row never stops failure handling for the rest of the cluster.
 */
@Component
class HeartbeatMonitor {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatMonitor.class);

    private final JdbcClient jdbc;
    private final ServerStatus status;
    private final JobQueue jobs;
    private final JobLifecycle lifecycle;
    private final SchedulerProperties properties;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Leadership leadership;
    private final io.berth.api.inventory.InventoryService inventory;
    private final io.berth.api.power.PowerManager power;
    /** {@link System#nanoTime()} since which this process has been listening; null while it is not. */
    private Long listeningSince;
    private boolean databaseDown;

    HeartbeatMonitor(JdbcClient jdbc, JobLifecycle lifecycle, SchedulerProperties properties, TransactionTemplate tx,
                     ApplicationEventPublisher events, Leadership leadership,
                     io.berth.api.inventory.InventoryService inventory, io.berth.api.power.PowerManager power,
                     ServerStatus status, JobQueue jobs) {
        this.status = status;
        this.jobs = jobs;
        this.power = power;
        this.inventory = inventory;
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
        this.properties = properties;
        this.tx = tx;
        this.events = events;
        this.leadership = leadership;
    }

    @Scheduled(fixedDelay = 1000, initialDelay = 1000)
    void check() {
        if (!properties.enabled()) return;
        if (!leadership.isLeader()) {
            listeningSince = null; // a later leadership starts a new grace period
            return;
        }
        if (listeningSince == null) listeningSince = System.nanoTime();
        try {
            if (databaseDown) {
                jdbc.sql("SELECT 1").query(Integer.class).single();
                databaseDown = false;
                listeningSince = System.nanoTime(); // before any check: the agents could not heartbeat until now
                log.info("database reachable again: agents get {} s from now to heartbeat before their servers "
                        + "count as silent", properties.heartbeatTimeoutSeconds());
            }
            settleDrains();
            settlePowerOffs();
            int silent = markSilentServers();
            int overdue = failOverdueJobs();
            if (silent > 0 || overdue > 0) events.publishEvent(new JobService.SchedulingNeeded());
        } catch (RuntimeException e) {
            if (!DatabaseOutage.is(e)) throw e;
            if (!databaseDown) log.warn("heartbeat check cannot reach the database: {}", e.getMessage());
            databaseDown = true; // heartbeats are not being recorded either; restart the grace period on recovery
        }
    }

    /** A failure here is logged and does not stop the failure handling that follows (outages aside). */
    private void settleDrains() {
        try {
            for (String changed : inventory.settleDrains()) log.info("server {}", changed); // "dgx-1 DRAINED"
        } catch (RuntimeException e) {
            if (DatabaseOutage.is(e)) throw e;
            log.error("could not settle draining servers", e);
        }
    }

    /**
     * POWERING_OFF servers whose agent went silent after the suspend are POWERED_OFF. Silent POWERING_OFF,
     * POWERED_OFF and RESUMING servers are never made NOT_READY here (nothing runs there; a resume that does not
     * come back is the power manager's to time out). A failure is logged, as for drains.
     */
    private void settlePowerOffs() {
        if (!listenedForATimeout()) return;
        try {
            power.settleSilent(properties.heartbeatTimeoutSeconds());
        } catch (RuntimeException e) {
            if (DatabaseOutage.is(e)) throw e;
            log.error("could not settle powering-off servers", e);
        }
    }

    /** Whether a whole heartbeat timeout has passed since this process started listening. */
    private boolean listenedForATimeout() {
        Duration listened = Duration.ofNanos(System.nanoTime() - listeningSince);
        return listened.compareTo(Duration.ofSeconds(properties.heartbeatTimeoutSeconds())) >= 0;
    }

    private int markSilentServers() {
        if (!listenedForATimeout()) return 0;
        List<ServerStatus.Silent> silent = status.silentFor(properties.heartbeatTimeoutSeconds());
        int handled = 0;
        for (ServerStatus.Silent s : silent) {
            try {
                int lost = tx.execute(transaction -> {
                    status.agentSilent(s.id());
                    return lifecycle.serverLost(s.id(), s.name());
                });
                handled++;
                log.warn("agent of {} silent for more than {} s: server NOT_READY, {} worker(s) lost", s.name(),
                        properties.heartbeatTimeoutSeconds(), lost);
            } catch (RuntimeException e) {
                if (DatabaseOutage.is(e)) throw e; // stop this round; the next one retries

                log.error("could not mark server {} (id {}) NOT_READY; skipped, retried next round", s.name(), s.id(), e);
            }
        }
        return handled;
    }

    private int failOverdueJobs() {
        List<UUID> overdue = jobs.overdue();
        int handled = 0;
        for (UUID id : overdue) {
            try {
                if (lifecycle.timedOut(id, "exceeded its maximum run time")) handled++;
            } catch (RuntimeException e) {
                if (DatabaseOutage.is(e)) throw e;

                log.error("could not stop job {} past its maximum run time; skipped, retried next round", id, e);
            }
        }
        return handled;
    }
}
