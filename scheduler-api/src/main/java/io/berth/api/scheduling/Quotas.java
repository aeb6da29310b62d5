package io.berth.api.scheduling;

import io.berth.api.db.JpaTransactional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-tenant limits on GPU (milli) and CPU (millicores) in use at once. A tenant without a row is unlimited.
 * <p>
 * The quota API (list, read, set, remove) is on Spring Data JPA ({@link QuotaRepository}) in transactions of the JPA
 * manager; it is called by {@code QuotaController} only, outside any transaction. {@link #limits()} (and so
 * {@link #neverWithinQuota}) stays one plain JdbcClient query without a transaction of its own: the scheduling cycle,
 * what-if and job submission read it, the batch submission inside its JDBC transaction, where a JPA read would fail
 * (see {@link io.berth.api.db.JpaConfiguration}).
 */
@Component
public class Quotas implements io.berth.api.jobs.JobService.QuotaCheck {
    private final QuotaRepository repository;
    private final JdbcClient jdbc;

    Quotas(QuotaRepository repository, JdbcClient jdbc) {
        this.repository = repository;
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

    /** Every tenant's quota by tenant; runs in the caller's transaction, if any (JDBC or JPA). */
    public Map<String, Limit> limits() {
        Map<String, Limit> limits = new HashMap<>();
        jdbc.sql("SELECT tenant, gpu_milli_limit, cpu_millis_limit FROM tenant_quotas")
                .query((rs, n) -> new Limit(rs.getString(1), (Long) rs.getObject(2), (Long) rs.getObject(3)))
                .list().forEach(l -> limits.put(l.tenant(), l));
        return limits;
    }

    /**
     * Ordered by tenant, by Java's string order (as it always was), not the database's collation, which may order
     * upper and lower case differently.
     */
    @JpaTransactional(readOnly = true)
    public List<Limit> all() {
        return repository.findAll().stream().map(StoredQuota::limit)
                .sorted(java.util.Comparator.comparing(Limit::tenant)).toList();
    }

    /** Creates or replaces the tenant's quota (a concurrent set of the same tenant: the last one wins). */
    @JpaTransactional
    public void set(Limit limit) {
        repository.upsert(limit.tenant(), limit.gpuMilli(), limit.cpuMillis());
    }

    @JpaTransactional(readOnly = true)
    public java.util.Optional<Limit> find(String tenant) {
        return repository.findById(tenant).map(StoredQuota::limit);
    }

    /** Removes the tenant's quota (it becomes unlimited); false when it had none. */
    @JpaTransactional
    public boolean remove(String tenant) {
        return repository.deleteTenant(tenant) == 1;
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
