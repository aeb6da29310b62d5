package io.berth.api.agents;

import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobService;
import io.berth.api.scheduling.SchedulerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.UUID;

/**
 * Housekeeping once a second: a server whose agent has been silent longer than the heartbeat timeout becomes
 * NOT_READY and its workers are LOST (their jobs requeued or failed); jobs past their maximum run time fail.
 */
@Component
class HeartbeatMonitor {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatMonitor.class);

    private final JdbcClient jdbc;
    private final JobLifecycle lifecycle;
    private final SchedulerProperties properties;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;

    HeartbeatMonitor(JdbcClient jdbc, JobLifecycle lifecycle, SchedulerProperties properties, TransactionTemplate tx,
                     ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
        this.properties = properties;
        this.tx = tx;
        this.events = events;
    }

    @Scheduled(fixedDelay = 1000, initialDelay = 1000)
    void check() {
        if (!properties.enabled()) return;
        record Silent(long id, String name) {
        }
        List<Silent> silent = jdbc.sql("""
                        SELECT id, name FROM servers
                        WHERE agent_last_seen < now() - make_interval(secs => ?)
                          AND (state = 'READY' OR EXISTS (SELECT 1 FROM workers w WHERE w.server_id = servers.id
                                                               AND w.state IN ('ASSIGNED', 'RUNNING', 'STOPPING')))""")
                .param(properties.heartbeatTimeoutSeconds()).query((rs, n) -> new Silent(rs.getLong(1), rs.getString(2)))
                .list();
        for (Silent s : silent) {
            int lost = tx.execute(status -> {
                jdbc.sql("""
                                UPDATE servers SET state = 'NOT_READY', version = version + 1
                                WHERE id = ? AND state = 'READY'""").param(s.id()).update();
                return lifecycle.serverLost(s.id(), s.name());
            });
            log.warn("agent of {} silent for more than {} s: server NOT_READY, {} worker(s) lost", s.name(),
                    properties.heartbeatTimeoutSeconds(), lost);
        }
        List<UUID> overdue = jdbc.sql("""
                        SELECT id FROM jobs WHERE state IN ('SCHEDULED', 'RUNNING') AND max_run_seconds IS NOT NULL
                          AND coalesce(started_at, updated_at) < now() - make_interval(secs => max_run_seconds)""")
                .query(UUID.class).list();
        for (UUID id : overdue) lifecycle.timedOut(id, "exceeded its maximum run time");
        if (!silent.isEmpty() || !overdue.isEmpty()) events.publishEvent(new JobService.SchedulingNeeded());
    }
}
