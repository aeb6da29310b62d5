package io.berth.api.scheduling;

import io.berth.api.jobs.JobService;
import io.berth.api.power.PowerManager;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.JobRequest;
import io.berth.core.scheduling.CycleDecision;
import io.berth.core.scheduling.CycleInput;
import io.berth.core.scheduling.QueuedJob;
import io.berth.core.scheduling.SchedulingCycle;
import io.berth.core.scheduling.StartEstimator;
import io.berth.core.scheduling.TenantQuota;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * "What if": the scheduling cycle run on the current queue and cluster plus one more job, nothing stored (Slurm's
 * {@code sbatch --test-only}). Also the outlook of a job already queued. Answers use the loop's policies and engine,
 * a fixed tie-break seed, and the cluster as the scheduler last read it, so they are what the next cycle would do if
 * nothing changed meanwhile.
 */
@Component
public class WhatIf implements JobService.QueueOutlook {
    private final SchedulingLoop loop;
    private final ClusterView cluster;
    private final Placement placement;
    private final Quotas quotas;
    /** Servers it holds off count as ready from when they are expected back. */
    private final PowerManager power;

    WhatIf(SchedulingLoop loop, ClusterView cluster, Placement placement, Quotas quotas, PowerManager power) {
        this.power = power;
        this.loop = loop;
        this.cluster = cluster;
        this.placement = placement;
        this.quotas = quotas;
    }

    /** One replica as it would be placed. */
    public record PlacedReplica(String taskGroup, int replica, String server, List<Integer> gpuIndices,
                                int milliGpuPerGpu) {
        static List<PlacedReplica> of(List<Assignment> assignments) {
            return assignments.stream().map(a -> new PlacedReplica(a.taskGroup(), a.replica(), a.server(),
                    a.gpuIndices(), a.gpuIndices().isEmpty() ? 0 : a.milliGpuPerGpu())).toList();
        }
    }

    /** A running job that would be stopped for this one. */
    public record Victim(UUID jobId, String tenant, int priority) {
    }

    /**
     * @param runsNow          the next cycle would start the job
     * @param placement        where: now if it runs now, else where it would probably start (may be empty)
     * @param preempts         running jobs that would be stopped to make room (it then starts once they stopped)
     * @param queuePosition    1 = the job the cycle tries first (priority, then fair share between tenants, then age)
     * @param estimatedStartAt when it would probably start: now if it runs now, else from the running jobs' and the
     *                         jobs ahead's maxRunSeconds and when suspended servers would be back (power saving's
     *                         expected-resume); null when unknown (some job in the way has no maxRunSeconds)
     * @param waitReason       why it would wait (null when it runs now)
     */
    public record Answer(boolean runsNow, List<PlacedReplica> placement, List<Victim> preempts, int queuePosition,
                         Instant estimatedStartAt, String waitReason) {
    }

    /**
     * The answer for a job not submitted: {@code request} (checked as a submission is) joins the queue as the youngest
     * job of its priority.
     */
    public Answer ask(JobRequest request, Integer maxRunSeconds) {
        List<QueuedJob> queue = new ArrayList<>(loop.queuedJobs());
        queue.add(QueuedJob.of(request, Instant.now(), maxRunSeconds));
        return answer(queue, request.jobId());
    }

    /** Outlooks are kept this long: a page that polls a waiting job does not rerun the cycle on every request. */
    static final long OUTLOOK_TTL_MILLIS = 5_000;
    private static final int OUTLOOK_CACHE_SIZE = 1_000;

    private record Kept(Outlook outlook, long atMillis) {
    }

    private final Map<UUID, Kept> kept = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs the cycle forward for the job (a queue read and up to {@link StartEstimator#MAX_STEPS} cycles), so answers
     * are kept {@value #OUTLOOK_TTL_MILLIS} ms per job.
     */
    @Override
    public Outlook outlook(UUID jobId) {
        long nowMillis = System.currentTimeMillis();
        Kept k = kept.get(jobId);
        if (k != null && nowMillis - k.atMillis() < OUTLOOK_TTL_MILLIS) return k.outlook();
        if (kept.size() >= OUTLOOK_CACHE_SIZE) kept.clear();
        Outlook o = computeOutlook(jobId);
        if (o != null) kept.put(jobId, new Kept(o, nowMillis));
        return o;
    }

    private Outlook computeOutlook(UUID jobId) {
        List<QueuedJob> queue = loop.queuedJobs();
        String id = jobId.toString();
        if (queue.stream().noneMatch(q -> q.id().equals(id))) return null;
        Answer a = answer(queue, id);
        return new Outlook(a.queuePosition(), a.estimatedStartAt());
    }

    private Answer answer(List<QueuedJob> queue, String id) {
        ClusterView.Cycle view = cluster.cycle();
        Map<String, TenantQuota> quotaByTenant = new HashMap<>();
        quotas.limits().forEach((t, l) -> quotaByTenant.put(t, new TenantQuota(t, l.gpuMilli(), l.cpuMillis())));
        Instant now = Instant.now();
        CycleInput input = new CycleInput(queue, view.holders(), view.state(), view.tenantUsage(), view.capacity(),
                quotaByTenant, now, 0L);
        SchedulingCycle cycle = new SchedulingCycle(placement.engine(view.layout()), loop.policies());
        List<QueuedJob> order = loop.policies().queueSort().order(queue, view.tenantUsage(), view.capacity());
        int position = 1;
        while (position <= order.size() && !order.get(position - 1).id().equals(id)) position++;

        CycleDecision d = cycle.run(input);
        for (CycleDecision.Placement p : d.placements())
            if (p.job().id().equals(id)) return new Answer(true, PlacedReplica.of(p.assignments()), List.of(), position, now, null);
        List<Victim> victims = d.preemptions().stream().filter(p -> p.forJobId().equals(id))
                .map(p -> new Victim(UUID.fromString(p.victim().jobId()), p.victim().tenant(), p.victim().priority()))
                .toList();
        CycleDecision.Wait wait = d.waiting().get(id);
        StartEstimator.Estimate e = StartEstimator.estimate(cycle, input, id, power.expectedReady(now));
        return new Answer(false, PlacedReplica.of(e.placement()), victims, position, e.start(),
                wait == null ? null : wait.reason());
    }
}
