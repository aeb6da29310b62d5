package io.berth.api.inventory;

import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.ServerState;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * What other features record on the inventory's server and accelerator rows (the inventory owns those tables): an
 * agent's registration and heartbeats (liveness, power draw and the power state they imply), its accelerator probes,
 * the health policy's and operators' verdicts on accelerators, and a silent agent's server going NOT_READY. Each
 * method is one statement (two where noted), in the caller's transaction.
 */
@Service
public class ServerStatus {
    private final JdbcClient jdbc;

    ServerStatus(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A server row's state before and after an agent's registration or heartbeat wrote it, and its accelerators'
     * indices when asked for (else empty).
     */
    public record Change(long id, String before, String after, List<Integer> acceleratorIndices) {
    }

    /**
     * An agent registered: its address and the time, a NOT_READY, POWERED_OFF or RESUMING server becomes READY, and
     * the version moves when the state changes or the server had no agent yet. The server must exist.
     */
    public Change agentRegistered(String name, String address) {
        return jdbc.sql("""
                        UPDATE servers s SET agent_address = ?, agent_last_seen = now(),
                            state = CASE WHEN s.state IN ('NOT_READY', 'POWERED_OFF', 'RESUMING') THEN 'READY'
                                         ELSE s.state END,
                            version = s.version + CASE WHEN s.state IN ('NOT_READY', 'POWERED_OFF', 'RESUMING')
                                                         OR s.agent_last_seen IS NULL THEN 1 ELSE 0 END
                        FROM (SELECT id, state FROM servers WHERE name = ? FOR UPDATE) old WHERE s.id = old.id
                        RETURNING s.id, old.state, s.state""")
                .params(address, name)
                .query((rs, n) -> new Change(rs.getLong(1), rs.getString(2), rs.getString(3), List.of())).single();
    }

    /**
     * A heartbeat (the hot path: one statement): the time, the power state it implies (see
     * {@code AgentService.heartbeat}) and the power report, which becomes the latest figure and adds the trapezoid
     * since the previous report to the energy counter, the interval capped at {@code timeoutSeconds}.
     *
     * @param watts          the server's draw, null when not reported (then power figures are left alone)
     * @param withGpuIndices whether to answer the server's accelerator indices
     * @return empty when no such server
     */
    public Optional<Change> heartbeat(String name, boolean suspending, int timeoutSeconds, Integer watts,
                                      String source, boolean withGpuIndices) {
        return jdbc.sql("""
                        UPDATE servers s SET agent_last_seen = now(),
                            state = CASE WHEN s.state IN ('NOT_READY', 'RESUMING') THEN 'READY'
                                         WHEN s.state = 'POWERING_OFF' AND :suspending THEN 'POWERED_OFF'
                                         WHEN s.state = 'POWERED_OFF' AND NOT :suspending
                                              AND s.power_changed_at < now() - make_interval(secs => :timeout) THEN 'READY'
                                         ELSE s.state END,
                            energy_joules = s.energy_joules + CASE WHEN CAST(:watts AS integer) IS NULL OR s.power_at IS NULL THEN 0
                                ELSE round((s.power_watts + CAST(:watts AS integer)) / 2.0
                                    * least(greatest(extract(epoch FROM now() - s.power_at), 0), :timeout))::bigint END,
                            power_watts = COALESCE(CAST(:watts AS integer), s.power_watts),
                            power_source = CASE WHEN CAST(:watts AS integer) IS NULL THEN s.power_source ELSE :source END,
                            power_at = CASE WHEN CAST(:watts AS integer) IS NULL THEN s.power_at ELSE now() END
                        FROM (SELECT id, state FROM servers WHERE name = :name FOR UPDATE) old WHERE s.id = old.id
                        RETURNING s.id, old.state, s.state, CASE WHEN :gpus THEN ARRAY(SELECT a.idx FROM accelerators a
                                                                 WHERE a.server_id = s.id) END AS indices""")
                .param("suspending", suspending)
                .param("timeout", timeoutSeconds)
                .param("watts", watts, java.sql.Types.INTEGER)
                .param("source", source, java.sql.Types.VARCHAR)
                .param("gpus", withGpuIndices)
                .param("name", name)
                .query((rs, n) -> {
                    java.sql.Array a = rs.getArray("indices");
                    return new Change(rs.getLong(1), rs.getString(2), rs.getString(3),
                            a == null ? List.of() : List.of((Integer[]) a.getArray()));
                }).optional();
    }

    /**
     * After a heartbeat changed the state: the version moves, READY clears the reason, and the power state's time is
     * set when {@code powerStateChanged}.
     */
    public void heartbeatChangedState(long serverId, boolean powerStateChanged) {
        jdbc.sql("""
                        UPDATE servers SET version = version + 1, updated_at = now(),
                            state_reason = CASE WHEN state = 'READY' THEN NULL ELSE state_reason END,
                            power_changed_at = CASE WHEN ? THEN now() ELSE power_changed_at END
                        WHERE id = ?""").params(powerStateChanged, serverId).update();
    }

    /**
     * The agent's probe results, one statement: the health of each listed accelerator that is not latched (by the
     * health policy or an operator) and differs; the server's version moves by the number changed.
     *
     * @return how many accelerators changed
     */
    public long acceleratorsProbed(long serverId, Integer[] indices, String[] health, String[] reasons) {
        return jdbc.sql("""
                        WITH changed AS (
                            UPDATE accelerators a SET health = p.health, health_reason = p.reason,
                                health_changed_at = now()
                            FROM unnest(CAST(:indices AS integer[]), CAST(:health AS text[]), CAST(:reasons AS text[]))
                                AS p(idx, health, reason)
                            WHERE a.server_id = :server AND a.idx = p.idx AND a.health <> p.health
                                AND NOT a.health_latched
                            RETURNING a.idx),
                        bumped AS (
                            UPDATE servers SET version = version + (SELECT count(*) FROM changed)
                            WHERE id = :server AND EXISTS (SELECT 1 FROM changed))
                        SELECT count(*) FROM changed""")
                .param("indices", indices).param("health", health).param("reasons", reasons)
                .param("server", serverId)
                .query(Long.class).single();
    }

    public boolean exists(String name) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM servers WHERE name = ?)").param(name).query(Boolean.class).single();
    }

    public ServerState state(long serverId) {
        return ServerState.valueOf(jdbc.sql("SELECT state FROM servers WHERE id = ?").param(serverId)
                .query(String.class).single());
    }

    /** A server whose agent has been silent. */
    public record Silent(long id, String name) {
    }

    /** Servers whose agent was last seen more than {@code timeoutSeconds} ago and that are READY or have active workers. */
    public List<Silent> silentFor(int timeoutSeconds) {
        return jdbc.sql("""
                        SELECT id, name FROM servers
                        WHERE agent_last_seen < now() - make_interval(secs => ?)
                          AND (state = 'READY' OR EXISTS (SELECT 1 FROM workers w WHERE w.server_id = servers.id
                                                               AND w.state IN ('ASSIGNED', 'RUNNING', 'STOPPING')))""")
                .param(timeoutSeconds).query((rs, n) -> new Silent(rs.getLong(1), rs.getString(2))).list();
    }

    /** A silent agent's READY server becomes NOT_READY (other states are left alone). */
    public void agentSilent(long serverId) {
        jdbc.sql("""
                        UPDATE servers SET state = 'NOT_READY', version = version + 1
                        WHERE id = ? AND state = 'READY'""").param(serverId).update();
    }

    /** The model of one accelerator; empty when the server has no such accelerator. */
    public Optional<String> acceleratorModel(long serverId, int index) {
        return jdbc.sql("SELECT model FROM accelerators WHERE server_id = ? AND idx = ?")
                .params(serverId, index).query(String.class).optional();
    }

    /**
     * The health policy takes an accelerator out of service (latched UNHEALTHY); the server's version moves. Two
     * statements, the server row first: a placement locks its servers and then their accelerators
     * ({@code scheduling.UsageCounters}), so a verdict taking the accelerator row first could deadlock with it.
     */
    public void acceleratorFailed(long serverId, int index, String reason) {
        jdbc.sql("UPDATE servers SET version = version + 1 WHERE id = ?").param(serverId).update();
        jdbc.sql("""
                        UPDATE accelerators SET health = 'UNHEALTHY', health_latched = true, health_reason = ?,
                            health_changed_at = now() WHERE server_id = ? AND idx = ?""")
                .params(reason, serverId, index).update();
    }

    /**
     * An operator sets an accelerator's health ({@code latched} keeps it so whatever the agent reports); the server's
     * version moves. Two statements, the server row first (as in {@link #acceleratorFailed}). False when no such
     * accelerator (then nothing is written).
     */
    public boolean setAcceleratorHealth(String server, int index, AcceleratorHealth health, boolean latched,
                                        String reason) {
        Optional<Long> serverId = jdbc.sql("""
                        UPDATE servers s SET version = s.version + 1
                        WHERE s.name = ? AND EXISTS (SELECT 1 FROM accelerators a WHERE a.server_id = s.id AND a.idx = ?)
                        RETURNING s.id""")
                .params(server, index).query(Long.class).optional();
        if (serverId.isEmpty()) return false;
        return jdbc.sql("""
                        UPDATE accelerators SET health = ?, health_latched = ?, health_reason = ?, health_changed_at = now()
                        WHERE server_id = ? AND idx = ?""")
                .params(health.name(), latched, reason, serverId.get(), index).update() > 0;
    }

    /** One accelerator's health as stored, with its server's id. */
    public record AcceleratorStatus(long serverId, String model, AcceleratorHealth health, String reason,
                                    boolean latched, OffsetDateTime changedAt) {
    }

    public Optional<AcceleratorStatus> accelerator(String server, int index) {
        return jdbc.sql("""
                        SELECT s.id, a.model, a.health, a.health_reason, a.health_latched, a.health_changed_at
                        FROM accelerators a JOIN servers s ON s.id = a.server_id WHERE s.name = ? AND a.idx = ?""")
                .params(server, index)
                .query((rs, n) -> new AcceleratorStatus(rs.getLong("id"), rs.getString("model"),
                        AcceleratorHealth.valueOf(rs.getString("health")), rs.getString("health_reason"),
                        rs.getBoolean("health_latched"), rs.getObject("health_changed_at", OffsetDateTime.class)))
                .optional();
    }
}
