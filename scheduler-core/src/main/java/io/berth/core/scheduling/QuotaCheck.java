package io.berth.core.scheduling;

import java.util.Map;

/**
 * Tenant quotas as an admission check before placement (a PreFilter): a job whose tenant would hold more than its
 * quota once the job runs waits, whatever the cluster's free resources. Pure.
 */
public final class QuotaCheck {
    private QuotaCheck() {}

    /**
     * Why the job would break its tenant's quota, or null when it stays within it (or the tenant has none).
     *
     * @param held what the tenant holds now, including jobs placed earlier in the same cycle
     */
    public static String exceeded(Map<String, TenantQuota> quotas, QueuedJob job, Usage held) {
        TenantQuota q = quotas.get(job.tenant());
        if (q == null) return null;
        Usage d = job.demand();
        if (q.gpuMilli() != null && held.gpuMilli() + d.gpuMilli() > q.gpuMilli())
            return "tenant " + job.tenant() + " GPU quota: " + held.gpuMilli() + " + " + d.gpuMilli()
                    + " milli-GPU > limit " + q.gpuMilli();
        if (q.cpuMillis() != null && held.cpuMillis() + d.cpuMillis() > q.cpuMillis())
            return "tenant " + job.tenant() + " CPU quota: " + held.cpuMillis() + " + " + d.cpuMillis()
                    + " millicores > limit " + q.cpuMillis();
        return null;
    }
}
