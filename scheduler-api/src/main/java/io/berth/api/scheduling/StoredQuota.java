package io.berth.api.scheduling;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code tenant_quotas} (V2). Stays inside {@link Quotas}, which hands out {@link Quotas.Limit} records. */
@Entity
@Table(name = "tenant_quotas")
class StoredQuota {
    @Id
    private String tenant;
    /** Milli-GPU; null = no GPU limit. */
    @Column(name = "gpu_milli_limit")
    private Long gpuMilli;
    /** Millicores; null = no CPU limit. */
    @Column(name = "cpu_millis_limit")
    private Long cpuMillis;

    protected StoredQuota() {
    }

    Quotas.Limit limit() {
        return new Quotas.Limit(tenant, gpuMilli, cpuMillis);
    }
}
