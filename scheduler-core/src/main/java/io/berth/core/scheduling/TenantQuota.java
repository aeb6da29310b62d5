package io.berth.core.scheduling;

import java.util.Objects;

/**
 * What one tenant's jobs may hold at once. A tenant without a quota is unlimited.
 *
 * @param gpuMilli  milli-GPU limit (1000 = one whole GPU); null = no GPU limit
 * @param cpuMillis millicore limit; null = no CPU limit
 */
public record TenantQuota(String tenant, Long gpuMilli, Long cpuMillis) {
    public TenantQuota {
        Objects.requireNonNull(tenant, "tenant");
    }
}
