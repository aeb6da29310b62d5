package io.berth.api.inventory;

import io.berth.core.inventory.Accelerator;
import io.berth.core.inventory.AcceleratorHealth;
import io.berth.core.inventory.AcceleratorKind;
import io.berth.core.inventory.LocalDevice;
import io.berth.core.inventory.Server;
import io.berth.core.inventory.ServerState;
import io.berth.core.inventory.StorageMedium;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Servers with their accelerators and local devices in explicit SQL, where speed or the caller's transaction needs
 * it; nothing here opens a transaction, so it runs on the caller's, of either manager (the JPA one exposes its
 * connection). The REST API's single servers are on Spring Data ({@link ServerService}); what stays here and why:
 * <ul>
 * <li>{@link #upsert} and {@link #all}: the import, thousands of servers in one transaction (ON CONFLICT per server,
 * its parts in JDBC batches, no entity per row), and node sync's replacements inside its JDBC transaction;</li>
 * <li>{@link #insert}, {@link #upsert}, {@link #find}: an agent's registration, on its hot path inside its JDBC
 * transaction;</li>
 * <li>{@link #all}: the inventory snapshot the scheduling cycle and a batch submission (inside its JDBC transaction)
 * read;</li>
 * <li>{@link #lockHoldings}: locks the server and its usage rows (FOR UPDATE, with scheduling's usage) before an edit
 * reads them, in both kinds of transaction;</li>
 * <li>{@link #drain} and {@link #settleDrains}: one UPDATE each that reads the workers (the jobs feature's table), for
 * the API, the health policy and the heartbeat monitor;</li>
 * <li>{@link #names}: node sync's check for servers without a Node, each interval;</li>
 * <li>{@link #allocations}: one read joining scheduling's usage counters and the holders.</li>
 * </ul>
 */
@Repository
class ServerRepository {
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, name, rack, cpu_millis, memory_mib, network_mbps, labels::text AS labels, "
            + "state, state_reason, idle_power_watts, peak_power_watts, hardware_source, version, created_at, updated_at, ";
    // the database's clock, which wrote agent_last_seen; a time in the future counts as 0
    private static final String AGENT_AGE = "CASE WHEN agent_last_seen IS NOT NULL "
            + "THEN greatest(0, floor(extract(epoch FROM now() - agent_last_seen)))::bigint END AS agent_age_seconds";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final JsonMapper json;
    private final long heartbeatTimeoutSeconds;

    ServerRepository(JdbcClient jdbc, JdbcTemplate template, JsonMapper json,
                     @Value("${berth.scheduler.heartbeat-timeout-seconds:15}") long heartbeatTimeoutSeconds) {
        this.jdbc = jdbc;
        this.template = template;
        this.json = json;
        this.heartbeatTimeoutSeconds = heartbeatTimeoutSeconds;
    }

    /** Inserts a new server; a duplicate name raises DuplicateKeyException. */
    void insert(Server s, HardwareSource source) {
        long id = jdbc.sql("""
                        INSERT INTO servers (name, rack, cpu_millis, memory_mib, network_mbps, labels, state,
                                             idle_power_watts, peak_power_watts, hardware_source)
                        VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?) RETURNING id""")
                .params(s.name(), s.rack(), s.cpuMillis(), s.memoryMib(), s.networkMbps(), json.writeValueAsString(s.labels()),
                        s.state().name(), s.idlePowerWatts(), s.peakPowerWatts(), source.name())
                .query(Long.class).single();
        insertParts(id, s);
    }

    /**
     * Creates or replaces the server of this name. Returns true when it was created. Usage counters of the server and
     * of the accelerators it keeps are left as they are; the caller must have refused removing or shrinking what is
     * held ({@link Holdings#refusals}), which V18's CHECKs and V9's trigger (V18) enforce again.
     */
    boolean upsert(Server s, HardwareSource source) {
        record Row(long id, boolean inserted) {
        }
        Row row = jdbc.sql("""
                        INSERT INTO servers (name, rack, cpu_millis, memory_mib, network_mbps, labels, state,
                                             idle_power_watts, peak_power_watts, hardware_source)
                        VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET rack = excluded.rack, cpu_millis = excluded.cpu_millis,
                            memory_mib = excluded.memory_mib, network_mbps = excluded.network_mbps,
                            labels = excluded.labels, state = excluded.state,
                            idle_power_watts = excluded.idle_power_watts, peak_power_watts = excluded.peak_power_watts,
                            hardware_source = excluded.hardware_source, version = servers.version + 1, updated_at = now()
                        RETURNING id, (xmax = 0) AS inserted""")
                .params(s.name(), s.rack(), s.cpuMillis(), s.memoryMib(), s.networkMbps(), json.writeValueAsString(s.labels()),
                        s.state().name(), s.idlePowerWatts(), s.peakPowerWatts(), source.name())
                .query((rs, n) -> new Row(rs.getLong("id"), rs.getBoolean("inserted"))).single();
        if (!row.inserted()) {
            // accelerators are updated in place, not replaced, so that their usage rows (V18) survive
            jdbc.sql("DELETE FROM accelerators WHERE server_id = ? AND NOT (idx = ANY (?))")
                    .params(row.id(), s.accelerators().stream().map(Accelerator::index).toArray(Integer[]::new)).update();
            jdbc.sql("DELETE FROM local_devices WHERE server_id = ?").param(row.id()).update();
        }
        insertParts(row.id(), s);
        return row.inserted();
    }

    private void insertParts(long serverId, Server s) {
        if (!s.accelerators().isEmpty()) {
            template.batchUpdate("""
                            INSERT INTO accelerators (server_id, idx, kind, vendor, model, memory_mib, interconnect_domain, health)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT (server_id, idx) DO UPDATE SET kind = excluded.kind, vendor = excluded.vendor,
                                model = excluded.model, memory_mib = excluded.memory_mib,
                                interconnect_domain = excluded.interconnect_domain,
                                -- the health policy's or an operator's verdict stands until an operator changes it
                                health = CASE WHEN accelerators.health_latched THEN accelerators.health
                                              ELSE excluded.health END""",
                    s.accelerators().stream().map(a -> new Object[]{serverId, a.index(), a.kind().name(), a.vendor(),
                            a.model(), a.memoryMib(), a.interconnectDomain(), a.health().name()}).toList());
        }
        if (!s.localDevices().isEmpty()) {
            template.batchUpdate("""
                            INSERT INTO local_devices (server_id, name, medium, capacity_gib, read_mb_per_sec, write_mb_per_sec)
                            VALUES (?, ?, ?, ?, ?, ?)""",
                    s.localDevices().stream().map(d -> new Object[]{serverId, d.name(), d.medium().name(),
                            d.capacityGib(), d.readMbPerSec(), d.writeMbPerSec()}).toList());
        }
    }

    Optional<ServerView> find(String name) {
        List<Row> rows = jdbc.sql("SELECT " + COLUMNS + AGENT_AGE + " FROM servers WHERE name = ?").param(name).query(this::row).list();
        return withParts(rows).stream().findFirst();
    }

    List<String> names() {
        return jdbc.sql("SELECT name FROM servers ORDER BY name").query(String.class).list();
    }

    /** Every server as a core record, for export and for the placement snapshot. */
    List<Server> all() {
        return withParts(jdbc.sql("SELECT " + COLUMNS + AGENT_AGE + " FROM servers ORDER BY name").query(this::row).list())
                .stream().map(v -> v.toSpec().toServer()).toList();
    }

    /** Workers that count as work on a server: holding resources, or assigned, running or stopping there. */
    static final String ACTIVE_WORKER = "EXISTS (SELECT 1 FROM workers w WHERE w.server_id = servers.id AND "
            + "(w.holds_resources OR w.state IN ('ASSIGNED', 'RUNNING', 'STOPPING')))";

    /** Drains the server: DRAINING while a worker is active on it, else DRAINED at once. False when it does not exist. */
    boolean drain(String name, String reason) {
        return jdbc.sql("UPDATE servers SET state = CASE WHEN " + ACTIVE_WORKER + " THEN 'DRAINING' ELSE 'DRAINED' END, "
                + "state_reason = ?, version = version + 1, updated_at = now() WHERE name = ?").params(reason, name)
                .update() == 1;
    }

    /**
     * DRAINING servers without active workers become DRAINED; a DRAINED server that has an active worker after all
     * (one committed in the instant it was drained) goes back to DRAINING. Returns the names that changed.
     */
    List<String> settleDrains() {
        return jdbc.sql("UPDATE servers SET state = CASE state WHEN 'DRAINING' THEN 'DRAINED' ELSE 'DRAINING' END, "
                + "version = version + 1, updated_at = now() "
                + "WHERE (state = 'DRAINING' AND NOT " + ACTIVE_WORKER + ") OR (state = 'DRAINED' AND " + ACTIVE_WORKER
                + ") RETURNING name || ' ' || state").query(String.class).list();
    }

    /**
     * Locks the rows of these servers (in name order, so two such calls cannot deadlock each other) and reads what the
     * workers holding resources there hold. Servers that do not exist are absent from the answer. While the caller's
     * transaction runs no placement or release can change these servers' usage: both write its usage row (V18), which
     * this locks with the server row.
     */
    /**
     * A lock on a server's name until the transaction ends (a PostgreSQL advisory lock), also when no row has it yet:
     * the operator's create-or-replace of one name take turns.
     */
    void lockName(String name) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('server:' || ?))").param(name).query((rs, n) -> 1).list();
    }

    Map<String, Holdings> lockHoldings(Collection<String> names) {
        if (names.isEmpty()) return Map.of();
        Map<Long, String> nameOf = new HashMap<>();
        Map<String, Holdings> result = new LinkedHashMap<>();
        Map<Long, long[]> used = new HashMap<>();
        Map<Long, HardwareSource> sources = new HashMap<>();
        jdbc.sql("""
                        SELECT s.id, s.name, s.hardware_source, u.cpu_millis_used, u.memory_mib_used, u.network_mbps_used
                        FROM servers s JOIN server_usage u ON u.server_id = s.id
                        WHERE s.name = ANY (?) ORDER BY s.name FOR UPDATE""")
                .param(names.toArray(String[]::new))
                .query(rs -> {
                    long id = rs.getLong(1);
                    nameOf.put(id, rs.getString(2));
                    sources.put(id, HardwareSource.valueOf(rs.getString(3)));
                    used.put(id, new long[]{rs.getLong(4), rs.getLong(5), rs.getLong(6)});
                });
        if (nameOf.isEmpty()) return Map.of();
        Long[] ids = nameOf.keySet().toArray(Long[]::new);
        Map<Long, List<Holdings.HeldAccelerator>> accelerators = new HashMap<>();
        template.query("""
                        SELECT server_id, idx, a.kind, a.model, a.memory_mib, u.used_milli
                        FROM accelerators a JOIN accelerator_usage u USING (server_id, idx)
                        WHERE server_id = ANY (?) AND u.used_milli <> 0 ORDER BY server_id, idx""",
                rs -> {
                    accelerators.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Holdings.HeldAccelerator(
                            rs.getInt(2), AcceleratorKind.valueOf(rs.getString(3)), rs.getString(4), rs.getInt(5),
                            rs.getInt(6)));
                }, (Object) ids);
        Map<Long, List<Holdings.Holder>> holders = new HashMap<>();
        template.query("""
                        SELECT w.server_id, w.job_id, j.name, w.gpu_indices, w.cpu_millis, w.memory_mib, w.network_mbps,
                               w.storage_gib, w.storage_mb_per_sec
                        FROM workers w JOIN jobs j ON j.id = w.job_id
                        WHERE w.server_id = ANY (?) AND w.holds_resources ORDER BY j.name, w.job_id, w.rank""",
                rs -> {
                    holders.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Holdings.Holder(
                            rs.getObject(2, UUID.class), rs.getString(3),
                            List.of((Integer[]) rs.getArray(4).getArray()), rs.getLong(5), rs.getLong(6), rs.getLong(7),
                            rs.getLong(8), rs.getInt(9)));
                }, (Object) ids);
        for (Map.Entry<Long, String> e : nameOf.entrySet()) {
            long id = e.getKey();
            long[] u = used.get(id);
            result.put(e.getValue(), new Holdings(e.getValue(), sources.get(id), u[0], u[1], u[2],
                    accelerators.getOrDefault(id, List.of()), holders.getOrDefault(id, List.of())));
        }
        return result;
    }

    /**
     * What is allocated on the named server, or on every server (name order) when {@code name} is null. Holders of
     * other tenants than {@code holderTenant} are left out when it is not null; their shares still count.
     */
    List<ServerAllocation> allocations(String name, String holderTenant) {
        Map<Long, ServerAllocation> byId = new LinkedHashMap<>();
        jdbc.sql("SELECT s.id, s.name, s.rack, s.state, s.state_reason, s.cpu_millis, u.cpu_millis_used, s.memory_mib, "
                        + "u.memory_mib_used, " + AGENT_AGE + " FROM servers s JOIN server_usage u ON u.server_id = s.id"
                        + (name == null ? "" : " WHERE s.name = :name") + " ORDER BY s.name")
                .paramSource(name == null ? Map.of() : Map.of("name", name))
                .query(rs -> {
                    Long age = rs.getObject("agent_age_seconds", Long.class);
                    byId.put(rs.getLong("id"), new ServerAllocation(rs.getString("name"), rs.getString("rack"),
                            ServerState.valueOf(rs.getString("state")), rs.getString("state_reason"),
                            age != null && age <= heartbeatTimeoutSeconds, age,
                            new ServerAllocation.Amount(rs.getLong("cpu_millis"), rs.getLong("cpu_millis_used")),
                            new ServerAllocation.Amount(rs.getLong("memory_mib"), rs.getLong("memory_mib_used")),
                            new ArrayList<>()));
                });
        if (byId.isEmpty()) return List.of();
        Long[] ids = byId.keySet().toArray(Long[]::new);
        Map<Slot, List<ServerAllocation.Holder>> holders = new HashMap<>();
        template.query("""
                        SELECT w.server_id, g.idx, w.job_id, j.name, j.tenant, w.id, w.rank, w.milli_gpu
                        FROM workers w JOIN jobs j ON j.id = w.job_id, unnest(w.gpu_indices) AS g(idx)
                        WHERE w.server_id = ANY (?) AND w.holds_resources ORDER BY j.name, w.job_id, w.rank""",
                rs -> {
                    if (holderTenant != null && !holderTenant.equals(rs.getString(5))) return;
                    holders.computeIfAbsent(new Slot(rs.getLong(1), rs.getInt(2)), k -> new ArrayList<>())
                            .add(new ServerAllocation.Holder(rs.getObject(3, UUID.class), rs.getString(4),
                                    rs.getString(5), rs.getObject(6, UUID.class), rs.getInt(7), rs.getInt(8)));
                }, (Object) ids);
        template.query("""
                        SELECT server_id, idx, a.model, a.memory_mib, a.health, u.used_milli
                        FROM accelerators a JOIN accelerator_usage u USING (server_id, idx)
                        WHERE server_id = ANY (?) ORDER BY server_id, idx""",
                rs -> {
                    long id = rs.getLong(1);
                    int idx = rs.getInt(2);
                    byId.get(id).accelerators().add(new ServerAllocation.AcceleratorAllocation(idx, rs.getString(3),
                            rs.getInt(4), AcceleratorHealth.valueOf(rs.getString(5)), rs.getInt(6),
                            holders.getOrDefault(new Slot(id, idx), List.of())));
                }, (Object) ids);
        return List.copyOf(byId.values());
    }

    /** One accelerator of one server row. */
    private record Slot(long serverId, int index) {
    }

    private record Row(long id, ServerView view) {
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        Long agentAge = rs.getObject("agent_age_seconds", Long.class);
        return new Row(rs.getLong("id"), new ServerView(rs.getString("name"), rs.getString("rack"),
                rs.getLong("cpu_millis"), rs.getLong("memory_mib"), rs.getLong("network_mbps"),
                json.readValue(rs.getString("labels"), LABELS), ServerState.valueOf(rs.getString("state")),
                rs.getString("state_reason"), agentAge != null && agentAge <= heartbeatTimeoutSeconds, agentAge,
                rs.getInt("idle_power_watts"), rs.getInt("peak_power_watts"), List.of(), List.of(),
                HardwareSource.valueOf(rs.getString("hardware_source")), rs.getLong("version"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant()));
    }

    /** Loads accelerators and devices of all rows in two queries (no N+1). */
    private List<ServerView> withParts(List<Row> rows) {
        if (rows.isEmpty()) return List.of();
        Long[] ids = rows.stream().map(Row::id).toArray(Long[]::new);
        Map<Long, List<AcceleratorSpec>> accs = new HashMap<>();
        template.query("""
                        SELECT server_id, idx, kind, vendor, model, memory_mib, interconnect_domain, health
                        FROM accelerators WHERE server_id = ANY (?) ORDER BY server_id, idx""",
                rs -> {
                    accs.computeIfAbsent(rs.getLong("server_id"), k -> new ArrayList<>()).add(AcceleratorSpec.of(
                            new Accelerator(rs.getInt("idx"), AcceleratorKind.valueOf(rs.getString("kind")),
                                    rs.getString("vendor"), rs.getString("model"), rs.getInt("memory_mib"),
                                    rs.getString("interconnect_domain"),
                                    AcceleratorHealth.valueOf(rs.getString("health")))));
                }, (Object) ids);
        Map<Long, List<LocalDeviceSpec>> devices = new HashMap<>();
        template.query("""
                        SELECT server_id, name, medium, capacity_gib, read_mb_per_sec, write_mb_per_sec
                        FROM local_devices WHERE server_id = ANY (?) ORDER BY server_id, name""",
                rs -> {
                    devices.computeIfAbsent(rs.getLong("server_id"), k -> new ArrayList<>()).add(LocalDeviceSpec.of(
                            new LocalDevice(rs.getString("name"), StorageMedium.valueOf(rs.getString("medium")),
                                    rs.getLong("capacity_gib"), rs.getInt("read_mb_per_sec"),
                                    rs.getInt("write_mb_per_sec"))));
                }, (Object) ids);
        List<ServerView> views = new ArrayList<>(rows.size());
        for (Row r : rows) {
            ServerView v = r.view();
            views.add(new ServerView(v.name(), v.rack(), v.cpuMillis(), v.memoryMib(), v.networkMbps(), v.labels(),
                    v.state(), v.stateReason(), v.agentConnected(), v.agentHeartbeatAgeSeconds(), v.idlePowerWatts(), v.peakPowerWatts(), accs.getOrDefault(r.id(), List.of()),
                    devices.getOrDefault(r.id(), List.of()), v.describedBy(), v.version(), v.createdAt(),
                    v.updatedAt()));
        }
        return views;
    }
}
