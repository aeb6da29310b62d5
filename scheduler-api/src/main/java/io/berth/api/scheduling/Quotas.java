package io.berth.api.scheduling;

import io.berth.api.jobs.JobRow;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Per-tenant limits on GPU (milli) and CPU (millicores) in use at once. A tenant without a row is unlimited. */
@Component
public class Quotas {
    private final JdbcClient jdbc;

    Quotas(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @param gpuMilliLimit null = no GPU limit; {@code cpuMillisLimit} likewise */
    public record Limit(String tenant, Long gpuMilliLimit, Long cpuMillisLimit) {
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
                .params(limit.tenant(), limit.gpuMilliLimit(), limit.cpuMillisLimit()).update();
    }

    /** Why the job would break the tenant's quota given its current usage {gpuMilli, cpuMillis}, or null. */
    String exceeded(Limit limit, long[] usage, JobRow job) {
        if (limit == null) return null;
        if (limit.gpuMilliLimit() != null && usage[0] + job.gpuMilli() > limit.gpuMilliLimit())
            return "tenant " + job.tenant() + " GPU quota: " + usage[0] + " + " + job.gpuMilli() + " milli-GPU > limit "
                    + limit.gpuMilliLimit();
        if (limit.cpuMillisLimit() != null && usage[1] + job.cpuMillis() > limit.cpuMillisLimit())
            return "tenant " + job.tenant() + " CPU quota: " + usage[1] + " + " + job.cpuMillis() + " millicores > limit "
                    + limit.cpuMillisLimit();
        return null;
    }
}
