package io.berth.core.scheduling;

import io.berth.core.placement.PlacementState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one scheduling cycle decides from; nothing else is read.
 *
 * @param queue        the queued jobs, in any order (the queue sort orders them)
 * @param holders      the jobs holding resources
 * @param free         the cluster (as its layout has it: servers in service, healthy GPUs) with exactly the holders'
 *                     allocations reserved; the cycle works on a copy
 * @param tenantUsage  what each tenant holds now (missing = nothing)
 * @param capacity     the cluster's total GPU and CPU, for fair shares
 * @param quotas       by tenant (missing = unlimited)
 * @param now          the cycle's time (from the caller's clock): expected starts are computed from it
 * @param seed         tie-break seed of the placement engine for this cycle
 */
public record CycleInput(List<QueuedJob> queue, List<Holder> holders, PlacementState free,
                         Map<String, Usage> tenantUsage, Usage capacity, Map<String, TenantQuota> quotas, Instant now,
                         long seed) {
    public CycleInput {
        Objects.requireNonNull(free, "free");
        Objects.requireNonNull(now, "now");
        queue = List.copyOf(queue);
        holders = List.copyOf(holders);
        tenantUsage = Map.copyOf(tenantUsage);
        quotas = Map.copyOf(quotas);
        Objects.requireNonNull(capacity, "capacity");
    }

    /** True when some holder is stopping: its resources come back soon, so nobody preempts meanwhile. */
    public boolean anyStopping() {
        for (Holder h : holders) if (h.stopping()) return true;
        return false;
    }
}
