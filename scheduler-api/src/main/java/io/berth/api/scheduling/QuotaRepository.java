package io.berth.api.scheduling;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** {@code tenant_quotas} through Spring Data; used by {@link Quotas} only, which owns the transactions. */
interface QuotaRepository extends JpaRepository<StoredQuota, String> {
    /**
     * Creates or replaces a tenant's quota in one statement. Explicit SQL on purpose: two concurrent PUTs of a new
     * tenant's quota must both succeed (the last one wins), which a lookup followed by an insert cannot promise.
     */
    @Modifying
    @Query(value = """
            INSERT INTO tenant_quotas (tenant, gpu_milli_limit, cpu_millis_limit) VALUES (:tenant, :gpuMilli, :cpuMillis)
            ON CONFLICT (tenant) DO UPDATE SET gpu_milli_limit = excluded.gpu_milli_limit,
                cpu_millis_limit = excluded.cpu_millis_limit""", nativeQuery = true)
    void upsert(@Param("tenant") String tenant, @Param("gpuMilli") Long gpuMilli, @Param("cpuMillis") Long cpuMillis);

    /** Deletes the tenant's quota; the number of rows deleted (0 or 1). */
    @Modifying
    @Query(value = "DELETE FROM tenant_quotas WHERE tenant = :tenant", nativeQuery = true)
    int deleteTenant(@Param("tenant") String tenant);
}
