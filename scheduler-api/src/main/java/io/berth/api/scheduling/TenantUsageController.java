package io.berth.api.scheduling;

import io.berth.api.auth.Caller;
import io.berth.core.scheduling.Usage;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

    /** The jobs of one tenant that are waiting and that hold (or are about to hold) workers. */
    private record JobCounts(long queued, long running) {
        static final JobCounts NONE = new JobCounts(0, 0);
    }

    @GetMapping("/api/v1/cluster/tenants")
    List<TenantUsage> tenants() {
        Caller caller = Caller.current();
        Map<String, Usage> held = new HashMap<>();
        jdbc.sql("""
                        SELECT j.tenant, sum(cardinality(w.gpu_indices)::bigint * w.milli_gpu), sum(w.cpu_millis)
                        FROM workers w JOIN jobs j ON j.id = w.job_id WHERE w.holds_resources GROUP BY j.tenant""")
                .query(rs -> {
                    held.put(rs.getString(1), new Usage(rs.getLong(2), rs.getLong(3)));
                });
        Map<String, JobCounts> jobs = new HashMap<>();
        jdbc.sql("""
                        SELECT tenant, count(*) FILTER (WHERE state = 'QUEUED'), count(*) FILTER (WHERE state <> 'QUEUED')
                        FROM jobs WHERE state IN ('QUEUED', 'SCHEDULED', 'RUNNING') GROUP BY tenant""")
                .query(rs -> {
                    jobs.put(rs.getString(1), new JobCounts(rs.getLong(2), rs.getLong(3)));
                });
        Map<String, Quotas.Limit> limits = quotas.limits();
        Set<String> tenants = new TreeSet<>(held.keySet());
        tenants.addAll(jobs.keySet());
        tenants.addAll(limits.keySet());
        return tenants.stream()
                .filter(t -> caller.seesAllTenants() || t.equals(caller.tenant()))
                .map(t -> {
                    Usage u = held.getOrDefault(t, Usage.ZERO);
                    JobCounts c = jobs.getOrDefault(t, JobCounts.NONE);
                    return new TenantUsage(t, limits.get(t), u.gpuMilli(), u.cpuMillis(), c.queued(), c.running());
                })
                .toList();
    }
}
