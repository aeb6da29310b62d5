package io.berth.api.inventory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * The power states of the inventory's servers (READY, POWERING_OFF, POWERED_OFF, RESUMING, V16) as power saving moves
 * them: each method is one guarded UPDATE (suspending: a locked read and a check first), in the caller's transaction,
 * and moves the server's version. Reasons are at most 500 characters (the caller cuts them).
 */
@Service
public class PowerStates {
    private final JdbcClient jdbc;

    PowerStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A server that is off or on its way: its state and when power saving last changed it (null if unknown). */
    public record Transition(String name, String state, Instant changedAt) {
    }

    /** Every server POWERING_OFF, POWERED_OFF or RESUMING. */
    public List<Transition> offOrChanging() {
        return jdbc.sql("SELECT name, state, power_changed_at FROM servers WHERE state IN ('POWERING_OFF', 'POWERED_OFF', 'RESUMING')")
                .query((rs, n) -> {
                    Timestamp t = rs.getTimestamp(3);
                    return new Transition(rs.getString(1), rs.getString(2), t == null ? null : t.toInstant());
                }).list();
    }

    /**
     * READY -> POWERING_OFF, only when no worker is active there. The server row is locked first, so a placement
     * (which share-locks the row of every server it uses, see scheduling.UsageCounters) either committed before and
     * its workers are seen, or waits and then finds the server no longer READY. False when not done.
     */
    public boolean suspendIfIdle(String name, String reason) {
        Long id = jdbc.sql("SELECT id FROM servers WHERE name = ? AND state = 'READY' FOR UPDATE").param(name)
                .query(Long.class).optional().orElse(null);
        if (id == null) return false;
        boolean busy = jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM workers WHERE server_id = ?
                                              AND state IN ('ASSIGNED', 'RUNNING', 'STOPPING'))""")
                .param(id).query(Boolean.class).single();
        if (busy) return false;
        jdbc.sql("""
                        UPDATE servers SET state = 'POWERING_OFF', state_reason = ?, power_changed_at = now(),
                            version = version + 1, updated_at = now() WHERE id = ?""")
                .params(reason, id).update();
        return true;
    }

    /** POWERING_OFF -> POWERED_OFF (the suspend command succeeded). */
    public boolean poweredOff(String name) {
        return jdbc.sql("""
                        UPDATE servers SET state = 'POWERED_OFF', power_changed_at = now(), version = version + 1,
                            updated_at = now() WHERE name = ? AND state = 'POWERING_OFF'""")
                .param(name).update() > 0;
    }

    /** POWERING_OFF or POWERED_OFF -> READY (the suspend did not happen). */
    public boolean suspendFailed(String name) {
        return jdbc.sql("""
                        UPDATE servers SET state = 'READY', state_reason = NULL, power_changed_at = now(),
                            version = version + 1, updated_at = now()
                        WHERE name = ? AND state IN ('POWERING_OFF', 'POWERED_OFF')""").param(name).update() > 0;
    }

    /** POWERED_OFF -> RESUMING with the reason. */
    public boolean resuming(String name, String reason) {
        return jdbc.sql("""
                        UPDATE servers SET state = 'RESUMING', state_reason = ?, power_changed_at = now(),
                            version = version + 1, updated_at = now() WHERE name = ? AND state = 'POWERED_OFF'""")
                .params(reason, name).update() > 0;
    }

    /** RESUMING -> NOT_READY with the reason. */
    public boolean resumeFailed(String name, String reason) {
        return jdbc.sql("""
                        UPDATE servers SET state = 'NOT_READY', state_reason = ?, power_changed_at = now(),
                            version = version + 1, updated_at = now() WHERE name = ? AND state = 'RESUMING'""")
                .params(reason, name).update() > 0;
    }

    /**
     * POWERING_OFF servers for more than {@code resumeTimeoutSeconds} whose agent still reported within
     * {@code heartbeatTimeoutSeconds}: they did not suspend and are READY again. Returns their names.
     */
    public List<String> unconfirmedSuspendsReady(long resumeTimeoutSeconds, int heartbeatTimeoutSeconds) {
        return jdbc.sql("""
                        UPDATE servers SET state = 'READY', state_reason = NULL, power_changed_at = now(),
                            version = version + 1, updated_at = now()
                        WHERE state = 'POWERING_OFF' AND power_changed_at < now() - make_interval(secs => ?)
                          AND agent_last_seen >= now() - make_interval(secs => ?)
                        RETURNING name""").params(resumeTimeoutSeconds, heartbeatTimeoutSeconds)
                .query(String.class).list();
    }

    /**
     * POWERING_OFF servers for more than {@code heartbeatTimeoutSeconds} whose agent has been silent as long: they are
     * POWERED_OFF. Returns their names.
     */
    public List<String> silentSuspendsOff(int heartbeatTimeoutSeconds) {
        return jdbc.sql("""
                        UPDATE servers SET state = 'POWERED_OFF', power_changed_at = now(), version = version + 1,
                            updated_at = now()
                        WHERE state = 'POWERING_OFF' AND power_changed_at < now() - make_interval(secs => ?)
                          AND (agent_last_seen IS NULL OR agent_last_seen < now() - make_interval(secs => ?))
                        RETURNING name""").params(heartbeatTimeoutSeconds, heartbeatTimeoutSeconds)
                .query(String.class).list();
    }
}
