package io.berth.api.reports;

import io.berth.api.jobs.UsageRecorder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.UUID;

/** Writes the usage records that {@link UsageReports} reads, as workers' holdings end. */
@Repository
class UsageRecords implements UsageRecorder {
    private final JdbcClient jdbc;

    UsageRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Writes the worker's usage record (V12), one statement, while it still holds its resources: what it held (GPUs x
     * share of one model, CPU, memory) from its placement until now, and its energy: its share of the server (GPUs held x share / GPUs of the server, or for a worker without GPUs CPU held / CPU of the server) times
     * <ul>
     *   <li>when the server's agent has reported power (V15): the server's energy counted since the worker started
     *       running (its energy counter now minus the counter the worker took when it started; 0 for a worker that
     *       never ran). The counter stands at the server's last report, so the time since that report (at most a
     *       heartbeat interval, as the heartbeat that ends a worker integrates first) is not charged;</li>
     *   <li>otherwise the estimate: the server's peak power from the inventory (the share's idle power plus its
     *       dynamic power at full use; 0 when the inventory has no figure) over the time it held its resources.</li>
     * </ul>
     */
    @Override
    public void holdingEnds(UUID workerId) {
        jdbc.sql("""
                        INSERT INTO usage_records (worker_id, job_id, job_name, tenant, attempt, server_name,
                            accelerator_model, gpus, milli_gpu, gpu_milli, cpu_millis, memory_mib, started_at, ended_at,
                            wall_millis, energy_joules, worker_state, exit_code, job_state)
                        SELECT w.id, w.job_id, j.name, j.tenant, w.attempt, s.name,
                               (SELECT a.model FROM accelerators a WHERE a.server_id = s.id AND a.idx = ANY (w.gpu_indices)
                                ORDER BY a.idx LIMIT 1),
                               cardinality(w.gpu_indices), w.milli_gpu, cardinality(w.gpu_indices) * w.milli_gpu,
                               w.cpu_millis, w.memory_mib, w.created_at, now(), t.wall_millis,
                               greatest(0, round(CASE WHEN s.power_at IS NOT NULL
                                   THEN s.energy_joules - COALESCE(w.energy_start_joules, s.energy_joules)
                                   ELSE s.peak_power_watts * t.wall_millis / 1000.0 END * CASE
                                   WHEN cardinality(w.gpu_indices) > 0 AND g.gpus > 0
                                       THEN cardinality(w.gpu_indices) * w.milli_gpu / 1000.0 / g.gpus
                                   WHEN s.cpu_millis > 0 THEN w.cpu_millis::numeric / s.cpu_millis
                                   ELSE 0 END))::bigint,
                               w.state, w.exit_code, j.state
                        FROM workers w JOIN jobs j ON j.id = w.job_id JOIN servers s ON s.id = w.server_id
                        CROSS JOIN LATERAL (SELECT greatest(0, round(extract(epoch FROM now() - w.created_at) * 1000))::bigint
                                            AS wall_millis) t
                        CROSS JOIN LATERAL (SELECT count(*) AS gpus FROM accelerators a WHERE a.server_id = s.id) g
                        WHERE w.id = ? AND w.holds_resources
                        ON CONFLICT (worker_id) DO NOTHING""").param(workerId).update();
    }
}
