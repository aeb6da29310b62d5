package io.berth.api.scheduling;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobQueue;
import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobService;
import io.berth.api.jobs.JobSpecs;
import io.berth.api.leader.LeaderFence;
import io.berth.api.leader.Leadership;
import io.berth.api.power.PowerManager;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementState;
import io.berth.core.scheduling.CycleDecision;
import io.berth.core.scheduling.CycleInput;
import io.berth.core.scheduling.CyclePolicies;
import io.berth.core.scheduling.QueuedJob;
import io.berth.core.scheduling.SchedulingCycle;
import io.berth.core.scheduling.TenantQuota;
import io.berth.core.scheduling.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The scheduling loop: each cycle reads the queue and the cluster ({@link ClusterView}), maps them to the core's
 * {@link CycleInput}, lets the {@link SchedulingCycle} decide (queue order by priority and fair share, quotas,
 * placement, backfill around a reservation, preemption; see there), commits the placements in batches and the
 * preemptions (see {@link PlacementCommitter}), records why the other jobs wait, and sleeps until woken or the
 * interval has passed.
 *
 * <p>Safe to run concurrently with itself or another control plane: the database refuses conflicting commits and
 * the losing job is simply tried again next cycle.
 */
@Component
public class SchedulingLoop implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SchedulingLoop.class);
    /** Queued jobs considered per cycle: the per-cycle reads (queue, changed workers) are shared by this many jobs. */
    private static final int QUEUE_SCAN_LIMIT = 10_000;
    /** Placements committed per transaction; the cycle's last batch is committed when the cycle ends. */
    static final int COMMIT_BATCH = 500;

    private final SchedulerProperties properties;
    private final ClusterView cluster;
    private final Placement placement;
    private final PlacementCommitter committer;
    private final JobQueue jobs;
    private final JobLifecycle lifecycle;
    private final Quotas quotas;
    private final Leadership leadership;
    private final CyclePolicies policies;
    /** Idle power management, run after each cycle; null when not wired (tests that build the loop by hand). */
    private final PowerManager power;
    private final Timer cycleTimer;
    private final Counter placements;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Parsed specs of the jobs queued at the last cycle (specs never change), so waiting jobs are parsed once. */
    private volatile Map<UUID, JobRequest> requests = Map.of();
    /**
     * Specs of the jobs submitted through this replica, as the submission parsed them, until a cycle sees the job: so
     * the loop parses a spec only for jobs another replica took. An optimisation only: a job missing here is read
     * from its stored spec.
     */
    private final Map<UUID, JobRequest> submitted = new ConcurrentHashMap<>();
    private boolean wakeRequested;
    private volatile Thread thread;
    private volatile boolean running;

    SchedulingLoop(SchedulerProperties properties, ClusterView cluster, Placement placement,
                   PlacementCommitter committer, JobQueue jobs, JobLifecycle lifecycle, Quotas quotas,
                   MeterRegistry meters, Leadership leadership) {
        this(properties, cluster, placement, committer, jobs, lifecycle, quotas, meters, leadership, null);
    }

    @Autowired
    SchedulingLoop(SchedulerProperties properties, ClusterView cluster, Placement placement,
                   PlacementCommitter committer, JobQueue jobs, JobLifecycle lifecycle, Quotas quotas,
                   MeterRegistry meters, Leadership leadership, PowerManager power) {
        this.power = power;
        this.properties = properties;
        this.cluster = cluster;
        this.placement = placement;
        this.committer = committer;
        this.jobs = jobs;
        this.lifecycle = lifecycle;
        this.quotas = quotas;
        this.leadership = leadership;
        this.policies = CyclePolicies.berth(properties.backfill(), properties.preemptionMinPriority());
        this.cycleTimer = Timer.builder("berth.scheduler.cycle").description("duration of one scheduling cycle")
                .publishPercentileHistogram().register(meters);
        this.placements = Counter.builder("berth.scheduler.placements").description("jobs placed").register(meters);
    }

    /** Asks for a cycle as soon as possible (after a submission, a finished worker or a new server). */
    public void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @EventListener
    void onSchedulingNeeded(JobService.SchedulingNeeded event) {
        wake();
    }

    /** Runs after the submission's commit (or at once when it had no transaction). */
    @TransactionalEventListener(fallbackExecution = true)
    void onSubmitted(JobService.JobsSubmitted event) {
        // jobs cancelled before any cycle saw them would stay: bounded by forgetting all (they are parsed then)
        if (submitted.size() > QUEUE_SCAN_LIMIT) submitted.clear();
        for (JobRequest r : event.jobs()) submitted.put(UUID.fromString(r.jobId()), r);
    }

    /** The queue policies every cycle runs with (what-if answers use the same). */
    CyclePolicies policies() {
        return policies;
    }

    /**
     * The queued jobs as the cycle sees them (the specs parsed by the last cycle are reused), in the queue query's
     * order; jobs whose spec cannot be read are left out (the next cycle cancels them).
     */
    List<QueuedJob> queuedJobs() {
        Map<UUID, JobRequest> known = requests;
        List<JobRow> queue = jobs.queued(QUEUE_SCAN_LIMIT);
        List<QueuedJob> out = new ArrayList<>(queue.size());
        for (JobRow job : queue) {
            try {
                out.add(queued(job, request(job, known, false)));
            } catch (RuntimeException e) {
                // an unreadable spec: the next cycle cancels the job
            }
        }
        return out;
    }

    /**
     * The job's spec as the engine takes it: the one the last cycle used, else the submission's, else read from the
     * stored spec (throws when unreadable). {@code take}: the submission's is handed over (a cycle, not a what-if).
     */
    private JobRequest request(JobRow job, Map<UUID, JobRequest> known, boolean take) {
        JobRequest request = known.get(job.id());
        if (request == null) request = take ? submitted.remove(job.id()) : submitted.get(job.id());
        return request != null ? request : JobSpecs.request(job);
    }

    private static QueuedJob queued(JobRow job, JobRequest request) {
        return new QueuedJob(request, job.createdAt(), new Usage(job.gpuMilli(), job.cpuMillis()), job.maxRunSeconds());
    }

    /** What one cycle did. */
    public record CycleResult(int considered, int placed, int preempted, int conflicts) {
    }

    /** One scheduling cycle. Public so tests and benchmarks can drive it; concurrent calls are safe. */
    public CycleResult cycle() {
        return cycleTimer.record(this::runCycle);
    }

    private CycleResult runCycle() {
        if (!leadership.isLeader()) return new CycleResult(0, 0, 0, 0); // only the leader schedules
        List<JobRow> queue = jobs.queued(QUEUE_SCAN_LIMIT);
        if (queue.isEmpty()) {
            if (power != null && power.due()) {
                // nothing waits, but idle servers may be due for suspending
                ClusterView.Cycle view = cluster.cycle();
                powerSaving(placement.engine(view.state().layout()), view.state(), Map.of(), List.of(), Set.of());
            }
            return new CycleResult(0, 0, 0, 0);
        }
        ClusterView.Cycle view = cluster.cycle();
        PlacementEngine engine = placement.engine(view.state().layout());

        Map<UUID, JobRequest> known = requests;
        Map<UUID, JobRequest> parsed = new HashMap<>();
        Map<String, JobRow> rows = new HashMap<>(queue.size() * 4 / 3 + 1);
        List<QueuedJob> queued = new ArrayList<>(queue.size());
        for (JobRow job : queue) {
            JobRequest request;
            try {
                request = request(job, known, true);
            } catch (RuntimeException e) {
                lifecycle.cancel(job.id(), "unreadable job spec: " + e.getMessage());
                continue;
            }
            parsed.put(job.id(), request);
            rows.put(request.jobId(), job);
            queued.add(queued(job, request));
        }
        requests = parsed;
        Map<String, TenantQuota> quotaByTenant = new HashMap<>();
        quotas.limits().forEach((tenant, l) -> quotaByTenant.put(tenant, new TenantQuota(tenant, l.gpuMilli(), l.cpuMillis())));
        CycleDecision decision = new SchedulingCycle(engine, policies).run(new CycleInput(queued, view.holders(),
                view.state(), view.tenantUsage(), view.capacity(), quotaByTenant, Instant.now(), System.nanoTime()));

        Map<UUID, String> pendingReasons = new LinkedHashMap<>();
        decision.waiting().forEach((id, wait) -> pendingReasons.put(UUID.fromString(id), wait.reason()));
        int attempted = 0;
        int placed = 0;
        List<PlacementCommitter.Pending> batch = new ArrayList<>(Math.min(COMMIT_BATCH, decision.placements().size()));
        for (CycleDecision.Placement p : decision.placements()) {
            batch.add(new PlacementCommitter.Pending(rows.get(p.job().id()), p.assignments()));
            attempted++;
            if (batch.size() >= COMMIT_BATCH) {
                if (!leadership.isLeader()) break; // deposed mid-cycle: place (and preempt) nothing more
                placed += flush(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty() && leadership.isLeader()) placed += flush(batch);
        int preempted = 0;
        try {
            for (CycleDecision.Preemption p : decision.preemptions())
                if (committer.preempt(UUID.fromString(p.victim().jobId()), p.reason())) preempted++;
        } catch (LeaderFence.NotLeader deposed) {
            // another control plane leads now: it decides
        }
        if (power != null && power.enabled() && leadership.isLeader()) {
            Set<String> reserved = new HashSet<>();
            decision.reservations().forEach(r -> reserved.addAll(r.servers()));
            powerSaving(engine, decision.after(), decision.waiting(), queued, reserved).forEach((id, reason) -> {
                UUID job = UUID.fromString(id);
                if (pendingReasons.containsKey(job)) pendingReasons.put(job, reason);
            });
        }
        jobs.setPendingReasons(pendingReasons);
        int conflicts = attempted - placed;
        if (placed > 0 || preempted > 0)
            log.debug("cycle: {} queued, {} placed, {} preempted, {} conflicts", queue.size(), placed, preempted, conflicts);
        return new CycleResult(queue.size(), placed, preempted, conflicts);
    }

    /**
     * Runs idle power management on the cycle's outcome (see {@link PowerManager}); returns the pending reasons of jobs
     * waiting for servers to resume. A failure is logged and changes nothing of the cycle (outages aside).
     *
     * @param waiting every job the cycle left waiting, in queue order; only the unschedulable ones can wake servers
     */
    private Map<String, String> powerSaving(PlacementEngine engine, PlacementState after,
                                            Map<String, CycleDecision.Wait> waiting, List<QueuedJob> queued,
                                            Set<String> reserved) {
        try {
            Map<String, QueuedJob> byId = new HashMap<>(queued.size() * 4 / 3 + 1);
            queued.forEach(q -> byId.put(q.id(), q));
            List<QueuedJob> unschedulable = new ArrayList<>();
            waiting.forEach((id, w) -> {
                if (w.kind() == CycleDecision.WaitKind.UNSCHEDULABLE && byId.containsKey(id)) unschedulable.add(byId.get(id));
            });
            return power.afterCycle(engine, after, unschedulable, reserved);
        } catch (RuntimeException e) {
            if (DatabaseOutage.is(e)) throw e;
            log.error("power saving failed after the scheduling cycle; scheduling goes on", e);
            return Map.of();
        }
    }

    /**
     * Commits a batch of the cycle's placements, all in one transaction when nothing refuses; otherwise job by job,
     * so the jobs that can still be committed are. A job whose commit is refused (another loop or a concurrent
     * change won) is tried again next cycle. Returns how many were committed.
     */
    private int flush(List<PlacementCommitter.Pending> batch) {
        try {
            committer.commitAll(batch);
            placements.increment(batch.size());
            return batch.size();
        } catch (RuntimeException batchRefused) {
            log.debug("batch of {} placements not committed, committing one by one: {}", batch.size(),
                    batchRefused.getMessage());
        }
        int committed = 0;
        for (PlacementCommitter.Pending p : batch) {
            try {
                committer.commit(p.job(), p.assignments());
                placements.increment();
                committed++;
            } catch (RuntimeException e) {
                log.debug("placement of job {} not committed: {}", p.job().id(), e.getMessage());
            }
        }
        return committed;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        if (!properties.enabled() || running) return;
        running = true;
        Thread t = new Thread(this::run, "berth-scheduler");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            wake();
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        log.info("scheduling loop started: policy {}, every {} ms", properties.policy(), properties.intervalMillis());
        boolean databaseDown = false;
        while (running) {
            try {
                CycleResult r = cycle();
                if (databaseDown) log.info("database reachable again: scheduling resumed");
                databaseDown = false;
                if (r.placed() > 0 || r.conflicts() > 0) continue; // more may fit right away
            } catch (RuntimeException e) {
                if (DatabaseOutage.is(e)) {
                    // logged once per outage; the loop keeps trying every interval and resumes by itself
                    if (!databaseDown) log.warn("database unreachable, scheduling paused: {}", e.getMessage());
                    databaseDown = true;
                } else if (e instanceof DataAccessException) {
                    log.warn("scheduling cycle failed, retrying: {}", e.getMessage());
                } else {
                    log.error("scheduling cycle failed", e);
                }
            }
            lock.lock();
            try {
                if (!wakeRequested) wake.await(properties.intervalMillis(), TimeUnit.MILLISECONDS);
                wakeRequested = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }
}
