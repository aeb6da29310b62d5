package io.berth.api.metrics;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.jobs.JobState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Gauges read from the database every few seconds (so every replica reports the same cluster-wide figures):
 * <ul>
 *   <li>berth_queue_depth{tenant,priority}: queued jobs</li>
 *   <li>berth_jobs{state}: jobs by state</li>
 *   <li>berth_gpu_allocation_ratio: allocated milli-GPU / capacity, 0..1</li>
 *   <li>berth_gpu_fragmentation_ratio: idle capacity on partly used GPUs / capacity, 0..1 — the share of the
 *       cluster that only fractional tasks can still use</li>
 *   <li>berth_agent_heartbeat_lag_seconds{server}: time since each agent's last heartbeat</li>
 * </ul>
 * Placement latency (berth_scheduler_cycle_seconds) and placements (berth_scheduler_placements_total) are recorded by
 * the scheduling loop itself. Each refresh also keeps a {@link UtilizationHistory.Sample} for the dashboard.
 */
@Component
class ClusterMetrics {
    private final JdbcClient jdbc;
    private final MultiGauge queueDepth;
    private final MultiGauge jobsByState;
    private final MultiGauge heartbeatLag;
    private final AtomicReference<double[]> gpu = new AtomicReference<>(new double[]{0, 0});
    private final UtilizationHistory history = new UtilizationHistory();

    ClusterMetrics(JdbcClient jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.queueDepth = MultiGauge.builder("berth.queue.depth").description("queued jobs").register(registry);
        this.jobsByState = MultiGauge.builder("berth.jobs").description("jobs by state").register(registry);
        this.heartbeatLag = MultiGauge.builder("berth.agent.heartbeat.lag").baseUnit("seconds")
                .description("time since the agent's last heartbeat").register(registry);
        Gauge.builder("berth.gpu.allocation.ratio", gpu, g -> g.get()[0])
                .description("allocated share of the cluster's GPU capacity").register(registry);
        Gauge.builder("berth.gpu.fragmentation.ratio", gpu, g -> g.get()[1])
                .description("idle GPU capacity on partly allocated GPUs, as a share of the cluster's GPU capacity")
                .register(registry);
    }

    @Scheduled(fixedDelay = 5000, initialDelay = 2000)
    void refresh() {
        try {
            read();
        } catch (RuntimeException e) {
            if (!DatabaseOutage.is(e)) throw e;
            // the gauges keep their last values; the outage is logged by the scheduling loop and heartbeat monitor
        }
    }

    private void read() {
        queueDepth.register(jdbc.sql("""
                        SELECT tenant, priority, count(*) FROM jobs WHERE state = 'QUEUED' GROUP BY tenant, priority""")
                .query((rs, n) -> MultiGauge.Row.of(Tags.of("tenant", rs.getString(1), "priority", rs.getString(2)),
                        rs.getLong(3))).list(), true);
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        jdbc.sql("SELECT state, count(*) FROM jobs GROUP BY state")
                .query(rs -> {
                    byState.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
                });
        jobsByState.register(byState.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey().name()), e.getValue())).toList(), true);
        heartbeatLag.register(jdbc.sql("""
                        SELECT name, extract(epoch FROM now() - agent_last_seen) FROM servers
                        WHERE agent_last_seen IS NOT NULL""")
                .query((rs, n) -> MultiGauge.Row.of(Tags.of("server", rs.getString(1)), Math.max(0, rs.getDouble(2))))
                .list(), true);
        UtilizationHistory.Sample s = gpuSample(byState);
        gpu.set(new double[]{s.allocationRatio(), s.fragmentationRatio()});
        history.add(s);
    }

    /** The cluster's utilization now, read from the database. */
    UtilizationHistory.Sample sample() {
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        jdbc.sql("SELECT state, count(*) FROM jobs WHERE state IN ('QUEUED', 'SCHEDULED', 'RUNNING') GROUP BY state")
                .query(rs -> {
                    byState.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
                });
        return gpuSample(byState);
    }

    /** Samples of the last {@code hours}, at most {@code maxPoints} (see {@link UtilizationHistory#since}). */
    List<UtilizationHistory.Sample> history(int hours, int maxPoints) {
        return history.since(Instant.now().minus(Duration.ofHours(hours)), maxPoints);
    }

    private UtilizationHistory.Sample gpuSample(Map<JobState, Long> jobsByState) {
        long[] row = jdbc.sql("""
                        SELECT count(*) * 1000, coalesce(sum(used_milli), 0),
                               coalesce(sum(1000 - used_milli) FILTER (WHERE used_milli > 0 AND used_milli < 1000), 0)
                        FROM accelerator_usage""")
                .query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
        long capacity = row[0];
        return new UtilizationHistory.Sample(Instant.now(), capacity, row[1],
                capacity == 0 ? 0 : (double) row[1] / capacity, capacity == 0 ? 0 : (double) row[2] / capacity,
                jobsByState.getOrDefault(JobState.QUEUED, 0L),
                jobsByState.getOrDefault(JobState.SCHEDULED, 0L) + jobsByState.getOrDefault(JobState.RUNNING, 0L));
    }

    /** Every server (by rack, then name) with the share allocated on each of its accelerators and their health. */
    List<UtilizationController.ServerPacking> packing() {
        return jdbc.sql("""
                        SELECT s.name, s.rack, s.state, s.cpu_millis, u.cpu_millis_used,
                               coalesce(array_agg(au.used_milli ORDER BY a.idx) FILTER (WHERE a.idx IS NOT NULL), '{}'),
                               coalesce(array_agg(a.health ORDER BY a.idx) FILTER (WHERE a.idx IS NOT NULL), '{}')
                        FROM servers s JOIN server_usage u ON u.server_id = s.id
                            LEFT JOIN accelerators a ON a.server_id = s.id
                            LEFT JOIN accelerator_usage au ON au.server_id = a.server_id AND au.idx = a.idx
                        GROUP BY s.id, u.server_id ORDER BY s.rack, s.name""")
                .query((rs, n) -> new UtilizationController.ServerPacking(rs.getString(1), rs.getString(2),
                        rs.getString(3), rs.getLong(4), rs.getLong(5), List.of((Integer[]) rs.getArray(6).getArray()),
                        List.of((String[]) rs.getArray(7).getArray()))).list();
    }
}
