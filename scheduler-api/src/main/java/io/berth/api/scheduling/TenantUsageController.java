package io.berth.api.scheduling;

import io.berth.api.auth.Caller;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each tenant holds now against its quota, for the dashboard. A USER sees only its own tenant.
 */
@RestController
class TenantUsageController {
    private final JdbcClient jdbc;
    private final Quotas quotas;

    TenantUsageController(JdbcClient jdbc, Quotas quotas) {
        this.jdbc = jdbc;
        this.quotas = quotas;
    }

    /**
     * One tenant: every tenant with a quota or with a job that is queued, placed or running, by name.
     *
     * @param quota          the tenant's quota, null when it has none (unlimited)
     * @param gpuMilliUsed   milli-GPU held by the tenant's workers now (1000 = one whole GPU)
     * @param cpuMillisUsed  millicores held likewise
     * @param queuedJobs     jobs in state QUEUED
     * @param runningJobs    jobs in state SCHEDULED or RUNNING
     */
    record TenantUsage(String tenant, Quotas.Limit quota, long gpuMilliUsed, long cpuMillisUsed, long queuedJobs,
                       long runningJobs) {
    }

    @GetMapping("/api/v1/cluster/tenants")
    List<TenantUsage> tenants() {
        Caller caller = Caller.current();
        Map<String, long[]> usage = new TreeMap<>(); // gpuMilli, cpuMillis, queued, running
        jdbc.sql("""
                        SELECT j.tenant, sum(cardinality(w.gpu_indices)::bigint * w.milli_gpu), sum(w.cpu_millis)
                        FROM workers w JOIN jobs j ON j.id = w.job_id WHERE w.holds_resources GROUP BY j.tenant""")
                .query(rs -> {
                    long[] u = usage.computeIfAbsent(rs.getString(1), t -> new long[4]);
                    u[0] = rs.getLong(2);
                    u[1] = rs.getLong(3);
                });
        jdbc.sql("""
                        SELECT tenant, count(*) FILTER (WHERE state = 'QUEUED'), count(*) FILTER (WHERE state <> 'QUEUED')
                        FROM jobs WHERE state IN ('QUEUED', 'SCHEDULED', 'RUNNING') GROUP BY tenant""")
                .query(rs -> {
                    long[] u = usage.computeIfAbsent(rs.getString(1), t -> new long[4]);
                    u[2] = rs.getLong(2);
                    u[3] = rs.getLong(3);
                });
        Map<String, Quotas.Limit> limits = quotas.limits();
        limits.keySet().forEach(t -> usage.computeIfAbsent(t, k -> new long[4]));
        return usage.entrySet().stream()
                .filter(e -> caller.seesAllTenants() || e.getKey().equals(caller.tenant()))
                .map(e -> new TenantUsage(e.getKey(), limits.get(e.getKey()), e.getValue()[0], e.getValue()[1],
                        e.getValue()[2], e.getValue()[3]))
                .toList();
    }
}
