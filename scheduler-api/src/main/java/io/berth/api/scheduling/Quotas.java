package io.berth.api.scheduling;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Per-tenant limits on GPU (milli) and CPU (millicores) in use at once. A tenant without a row is unlimited. */
@Component
public class Quotas implements io.berth.api.jobs.JobService.QuotaCheck {
    private final JdbcClient jdbc;

    Quotas(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A tenant's quota; the API reads and writes it under the same names.
     *
     * @param gpuMilli  milli-GPU the tenant's jobs may hold at once (1000 = one whole GPU); null = no GPU limit
     * @param cpuMillis millicores likewise; null = no CPU limit
     */
    public record Limit(String tenant, Long gpuMilli, Long cpuMillis) {
    }

    public Map<String, Limit> limits() {
        Map<String, Limit> limits = new HashMap<>();
        jdbc.sql("SELECT tenant, gpu_milli_limit, cpu_millis_limit FROM tenant_quotas")
                .query((rs, n) -> new Limit(rs.getString(1), (Long) rs.getObject(2), (Long) rs.getObject(3)))
                .list().forEach(l -> limits.put(l.tenant(), l));
        return limits;
    }

    public List<Limit> all() {
        return limits().values().stream().sorted(java.util.Comparator.comparing(Limit::tenant)).toList();
    }

    @Transactional
    public void set(Limit limit) {
        jdbc.sql("""
                        INSERT INTO tenant_quotas (tenant, gpu_milli_limit, cpu_millis_limit) VALUES (?, ?, ?)
                        ON CONFLICT (tenant) DO UPDATE SET gpu_milli_limit = excluded.gpu_milli_limit,
                            cpu_millis_limit = excluded.cpu_millis_limit""")
                .params(limit.tenant(), limit.gpuMilli(), limit.cpuMillis()).update();
    }

    public java.util.Optional<Limit> find(String tenant) {
        return jdbc.sql("SELECT tenant, gpu_milli_limit, cpu_millis_limit FROM tenant_quotas WHERE tenant = ?").param(tenant)
                .query((rs, n) -> new Limit(rs.getString(1), (Long) rs.getObject(2), (Long) rs.getObject(3))).optional();
    }

    /** Removes the tenant's quota (it becomes unlimited); false when it had none. */
    @Transactional
    public boolean remove(String tenant) {
        return jdbc.sql("DELETE FROM tenant_quotas WHERE tenant = ?").param(tenant).update() == 1;
    }

    @Override
    public List<String> neverWithinQuota(List<io.berth.api.jobs.JobService.Demand> jobs) {
        Map<String, Limit> limits = jobs.isEmpty() ? Map.of() : limits();
        List<String> out = new java.util.ArrayList<>(jobs.size());
        for (var job : jobs) {
            Limit limit = limits.get(job.tenant());
            String problem = null;
            if (limit != null && limit.gpuMilli() != null && job.gpuMilli() > limit.gpuMilli())
                problem = String.format(java.util.Locale.US, "tenant %s's quota gpuMilli %,d is less than the %,d "
                        + "milli-GPU the job holds while it runs", job.tenant(), limit.gpuMilli(), job.gpuMilli());
            else if (limit != null && limit.cpuMillis() != null && job.cpuMillis() > limit.cpuMillis())
                problem = String.format(java.util.Locale.US, "tenant %s's quota cpuMillis %,d is less than the %,d "
                        + "millicores the job holds while it runs", job.tenant(), limit.cpuMillis(), job.cpuMillis());
            out.add(problem);
        }
        return out;
    }
}
