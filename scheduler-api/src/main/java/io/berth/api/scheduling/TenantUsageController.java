package io.berth.api.scheduling;

import io.berth.api.auth.Caller;
import io.berth.api.jobs.JobService;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What each tenant holds now against its quota, for the dashboard. A USER sees only its own tenant.
 */
@RestController
class TenantUsageController {
    private final JobService jobs;
    private final Quotas quotas;

    TenantUsageController(JobService jobs, Quotas quotas) {
        this.jobs = jobs;
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
        Map<String, JobService.TenantActivity> activity = jobs.activityByTenant();
        Map<String, Quotas.Limit> limits = quotas.limits();
        Set<String> tenants = new TreeSet<>(activity.keySet());
        tenants.addAll(limits.keySet());
        return tenants.stream()
                .filter(t -> caller.seesAllTenants() || t.equals(caller.tenant()))
                .map(t -> {
                    JobService.TenantActivity a = activity.getOrDefault(t, JobService.TenantActivity.NONE);
                    return new TenantUsage(t, limits.get(t), a.held().gpuMilli(), a.held().cpuMillis(), a.queued(),
                            a.running());
                })
                .toList();
    }
}
