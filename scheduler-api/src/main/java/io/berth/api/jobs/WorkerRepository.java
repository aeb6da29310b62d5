package io.berth.api.jobs;

import io.berth.core.scheduling.Usage;
import io.berth.core.protocol.MetricsReport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.UUID;

/**
 * Workers. Inserting workers and ending their holding go through {@link HeldResources} (the usage counters, owned by
 * scheduling) in the same transaction, so the counters stay equal to the sum over workers holding resources and the
 * database's CHECKs refuse any reservation beyond capacity. Callers own the transaction.
 */
@Repository
class WorkerRepository {
    private static final String COLUMNS = "w.id, w.job_id, w.attempt, w.task_group, w.replica, w.rank, w.world_size, "
            + "w.server_id, s.name AS server_name, w.gpu_indices, w.milli_gpu, w.cpu_millis, w.memory_mib, "
            + "w.network_mbps, w.storage_gib, w.storage_mb_per_sec, w.master_addr, w.master_port, w.state, w.holds_resources, w.exit_code, w.message";
    private static final String FROM = " FROM workers w JOIN servers s ON s.id = w.server_id";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final HeldResources held;
    private final UsageRecorder usage;

    WorkerRepository(JdbcClient jdbc, JdbcTemplate template, HeldResources held, UsageRecorder usage) {
        this.jdbc = jdbc;
        this.template = template;
        this.held = held;
        this.usage = usage;
    }

    /** A worker's figures for one epoch, one statement; a repeated epoch replaces them (delivery is at least once). */
    public void recordMetrics(WorkerRow w, MetricsReport m) {
        jdbc.sql("""
                        INSERT INTO job_metrics (worker_id, job_id, epoch, loss, accuracy, samples_per_second)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (worker_id, epoch) DO UPDATE SET loss = excluded.loss, accuracy = excluded.accuracy,
                            samples_per_second = excluded.samples_per_second, at = now()""")
                .params(w.id(), w.jobId(), m.epoch(), m.loss(), m.accuracy(), m.samplesPerSecond()).update();
    }

    /** Appends a worker's log lines in one batch; NUL characters are dropped (PostgreSQL text cannot hold them). */
    public void appendLogs(WorkerRow w, List<String> lines) {
        template.batchUpdate("INSERT INTO worker_logs (job_id, worker_id, line) VALUES (?, ?, ?)",
                lines.stream().map(l -> new Object[]{w.jobId(), w.id(), l.replace("\u0000", "")}).toList());
    }

    /** The jobs whose current attempt has an ASSIGNED or RUNNING worker on this GPU, by name. */
    public List<ServerWorkers.JobName> jobsOnGpu(long serverId, int index) {
        return jdbc.sql("""
                        SELECT DISTINCT j.id, j.name FROM workers w JOIN jobs j ON j.id = w.job_id
                        WHERE w.server_id = ? AND w.state IN ('ASSIGNED', 'RUNNING') AND ? = ANY (w.gpu_indices)
                          AND w.attempt = j.attempt ORDER BY j.name""")
                .params(serverId, index).query((rs, n) -> new ServerWorkers.JobName(rs.getObject(1, UUID.class), rs.getString(2)))
                .list();
    }

    /**
     * Adds the workers' demand to the counters of their servers and GPUs and inserts the workers, stamped with the
     * leader epoch: three statements whatever the number of workers (see {@link HeldResources#reserveAll}). Capacity
     * overflow raises DataIntegrityViolationException (CHECK constraint); a server that is not READY or a GPU that is
     * not healthy raises {@link HeldResources.ReservationRefused}. Either way the caller's transaction must roll back.
     */
    public void reserveAll(List<WorkerRow> rows, long leaderEpoch) {
        Map<String, Long> ids = held.reserveAll(rows);
        // one statement for all workers; GPU index lists travel as array literals ('{0,3}') since unnest flattens
        // a two-dimensional array
        jdbc.sql("""
                        INSERT INTO workers (id, job_id, attempt, task_group, replica, rank, world_size, server_id,
                            gpu_indices, milli_gpu, cpu_millis, memory_mib, network_mbps, storage_gib, storage_mb_per_sec,
                            master_addr, master_port, state, leader_epoch)
                        SELECT id::uuid, job_id::uuid, attempt, task_group, replica, rank, world_size, server_id,
                               gpus::int[], milli_gpu, cpu, mem, net, storage, storage_mb, master_addr, master_port,
                               'ASSIGNED', ?
                        FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::int[], ?::int[], ?::bigint[],
                                    ?::text[], ?::int[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[],
                                    ?::text[], ?::int[])
                            AS d(id, job_id, attempt, task_group, replica, rank, world_size, server_id, gpus, milli_gpu,
                                 cpu, mem, net, storage, storage_mb, master_addr, master_port)""")
                .params(leaderEpoch,
                        rows.stream().map(w -> w.id().toString()).toArray(String[]::new),
                        rows.stream().map(w -> w.jobId().toString()).toArray(String[]::new),
                        rows.stream().map(WorkerRow::attempt).toArray(Integer[]::new),
                        rows.stream().map(WorkerRow::taskGroup).toArray(String[]::new),
                        rows.stream().map(WorkerRow::replica).toArray(Integer[]::new),
                        rows.stream().map(WorkerRow::rank).toArray(Integer[]::new),
                        rows.stream().map(WorkerRow::worldSize).toArray(Integer[]::new),
                        rows.stream().map(w -> ids.get(w.serverName())).toArray(Long[]::new),
                        rows.stream().map(w -> w.gpuIndices().stream().map(String::valueOf)
                                .collect(Collectors.joining(",", "{", "}"))).toArray(String[]::new),
                        rows.stream().map(WorkerRow::milliGpu).toArray(Integer[]::new),
                        rows.stream().map(WorkerRow::cpuMillis).toArray(Long[]::new),
                        rows.stream().map(WorkerRow::memoryMib).toArray(Long[]::new),
                        rows.stream().map(WorkerRow::networkMbps).toArray(Long[]::new),
                        rows.stream().map(WorkerRow::storageGib).toArray(Long[]::new),
                        rows.stream().map(WorkerRow::storageMbPerSec).toArray(Integer[]::new),
                        rows.stream().map(WorkerRow::masterAddr).toArray(String[]::new),
                        rows.stream().map(WorkerRow::masterPort).toArray(Integer[]::new))
                .update();
    }

    /**
     * Moves a worker to {@code to} if it is in one of {@code from}; a terminal {@code to} releases its resources
     * (exactly once, guarded by holds_resources). Returns false when the worker was in none of {@code from}. A worker
     * that starts RUNNING takes its server's energy counter (V15), the start of what its usage record charges it.
     */
    public boolean transition(UUID id, Collection<WorkerState> from, WorkerState to, Integer exitCode, String message) {
        Optional<WorkerRow> updated = jdbc.sql("""
                        UPDATE workers w SET state = ?, exit_code = COALESCE(?, w.exit_code),
                            message = COALESCE(?, w.message), updated_at = now(),
                            energy_start_joules = CASE WHEN ? THEN COALESCE(w.energy_start_joules, s.energy_joules)
                                ELSE w.energy_start_joules END
                        FROM servers s WHERE s.id = w.server_id AND w.id = ? AND w.state = ANY (?)
                        RETURNING\s""" + COLUMNS)
                .params(to.name(), exitCode, message, to == WorkerState.RUNNING, id,
                        from.stream().map(Enum::name).toArray(String[]::new))
                .query(WorkerRepository::row).optional();
        if (updated.isPresent() && to.terminal()) release(id);
        return updated.isPresent();
    }

    /**
     * Gives the worker's resources back and, in the same transaction and first, has its usage record written
     * ({@link UsageRecorder}), while the worker still holds them.
     */
    private void release(UUID id) {
        usage.holdingEnds(id);
        jdbc.sql("UPDATE workers SET holds_resources = false WHERE id = ? AND holds_resources RETURNING " +
                        "server_id, cpu_millis, memory_mib, network_mbps, gpu_indices, milli_gpu")
                .param(id)
                .query(rs -> {
                    held.release(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getInt(6),
                            (Integer[]) rs.getArray(5).getArray());
                });
    }

    public Optional<WorkerRow> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + " WHERE w.id = ?").param(id).query(WorkerRepository::row).optional();
    }

    public List<WorkerRow> ofJob(UUID jobId) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + " WHERE w.job_id = ? ORDER BY w.attempt, w.rank").param(jobId)
                .query(WorkerRepository::row).list();
    }

    /**
     * Per job, the servers its current attempt was placed on, by lowest rank first; jobs waiting for a placement
     * (QUEUED, HELD, PREEMPTED) have none.
     */
    Map<UUID, List<String>> serversOf(Collection<UUID> jobIds) {
        Map<UUID, List<String>> out = new HashMap<>();
        if (jobIds.isEmpty()) return out;
        jdbc.sql("""
                        SELECT w.job_id, s.name, min(w.rank) AS first_rank
                        FROM workers w JOIN jobs j ON j.id = w.job_id AND j.attempt = w.attempt
                            JOIN servers s ON s.id = w.server_id
                        WHERE w.job_id = ANY (?::uuid[]) AND j.state NOT IN ('QUEUED', 'HELD', 'PREEMPTED')
                        GROUP BY w.job_id, s.name ORDER BY w.job_id, first_rank""")
                .param(jobIds.stream().map(UUID::toString).toArray(String[]::new))
                .query((rs, n) -> {
                    out.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(rs.getString(2));
                    return null;
                }).list();
        return out;
    }

    public List<WorkerRow> ofServer(long serverId, Collection<WorkerState> states) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + " WHERE w.server_id = ? AND w.state = ANY (?) ORDER BY w.created_at")
                .params(serverId, states.stream().map(Enum::name).toArray(String[]::new))
                .query(WorkerRepository::row).list();
    }

    private static WorkerRow row(ResultSet rs, int n) throws SQLException {
        Integer[] gpus = (Integer[]) rs.getArray("gpu_indices").getArray();
        return new WorkerRow(rs.getObject("id", UUID.class), rs.getObject("job_id", UUID.class), rs.getInt("attempt"),
                rs.getString("task_group"), rs.getInt("replica"), rs.getInt("rank"), rs.getInt("world_size"),
                rs.getLong("server_id"), rs.getString("server_name"), Arrays.asList(gpus), rs.getInt("milli_gpu"),
                rs.getLong("cpu_millis"), rs.getLong("memory_mib"), rs.getLong("network_mbps"),
                rs.getLong("storage_gib"), rs.getInt("storage_mb_per_sec"), rs.getString("master_addr"), rs.getInt("master_port"), WorkerState.valueOf(rs.getString("state")),
                rs.getBoolean("holds_resources"), (Integer) rs.getObject("exit_code"), rs.getString("message"));
    }

    /** Milli-GPU and millicores held by each tenant's workers now. */
    Map<String, Usage> heldByTenant() {
        Map<String, Usage> byTenant = new HashMap<>();
        jdbc.sql("""
                        SELECT j.tenant, sum(cardinality(w.gpu_indices)::bigint * w.milli_gpu), sum(w.cpu_millis)
                        FROM workers w JOIN jobs j ON j.id = w.job_id WHERE w.holds_resources GROUP BY j.tenant""")
                .query(rs -> {
                    byTenant.put(rs.getString(1), new Usage(rs.getLong(2), rs.getLong(3)));
                });
        return byTenant;
    }
}
