package io.berth.api.scheduling;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobRepository;
import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobService;
import io.berth.api.jobs.JobSpecs;
import io.berth.api.leader.LeaderFence;
import io.berth.api.leader.Leadership;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The scheduling loop. Each cycle reads the queue and the cluster, then for each queued job, in priority order (fair
 * share by dominant resource between tenants of one priority, FIFO within a tenant): checks the tenant quota, asks
 * the engine for a placement on the cycle's working state and commits it (see {@link PlacementCommitter}). A job
 * that does not fit may preempt lower-priority jobs (if its priority allows) or, as the first blocked job, get a
 * reservation: the servers it would use once running work drains, which backfilled jobs must leave alone.
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
    private final JobRepository jobs;
    private final JobLifecycle lifecycle;
    private final Quotas quotas;
    private final Leadership leadership;
    private final Timer cycleTimer;
    private final Counter placements;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Parsed specs of the jobs queued at the last cycle (specs never change), so waiting jobs are parsed once. */
    private volatile Map<UUID, JobRequest> requests = Map.of();
    private boolean wakeRequested;
    private volatile Thread thread;
    private volatile boolean running;

    SchedulingLoop(SchedulerProperties properties, ClusterView cluster, Placement placement,
                   PlacementCommitter committer, JobRepository jobs, JobLifecycle lifecycle, Quotas quotas,
                   MeterRegistry meters, Leadership leadership) {
        this.properties = properties;
        this.cluster = cluster;
        this.placement = placement;
        this.committer = committer;
        this.jobs = jobs;
        this.lifecycle = lifecycle;
        this.quotas = quotas;
        this.leadership = leadership;
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
        if (queue.isEmpty()) return new CycleResult(0, 0, 0, 0);
        ClusterView.Cycle view = cluster.cycle();
        List<ClusterView.Holder> holders = view.holders();
        PlacementState state = view.state();
        PlacementEngine engine = placement.engine(state.layout());
        List<PlacementCommitter.Pending> pending = new ArrayList<>();
        Map<UUID, String> pendingReasons = new LinkedHashMap<>();
        // Shapes that did not fit this cycle: the state only fills up during a cycle (refused commits aside, whose jobs
        // are tried again next cycle anyway), so they would not fit again.
        Map<JobRequest, String> failedShapes = new HashMap<>();
        Map<UUID, JobRequest> known = requests;
        Map<UUID, JobRequest> parsed = new HashMap<>();
        FairShare share = new FairShare(view.gpuMilliCapacity(), view.cpuMillisCapacity(), view.tenantUsage());
        Map<String, Quotas.Limit> limits = quotas.limits();
        Set<String> reserved = new HashSet<>();
        boolean reservationMade = false;
        boolean stopping = view.anyStopping();
        int attempted = 0;
        int placed = 0;
        int preempted = 0;
        long seed = System.nanoTime();

        for (JobRow job : share.order(queue)) {
            if (!leadership.isLeader()) break; // deposed mid-cycle: place (and preempt) nothing more
            JobRequest request = known.get(job.id());
            if (request == null) {
                try {
                    request = JobSpecs.request(job);
                } catch (RuntimeException e) {
                    lifecycle.cancel(job.id(), "unreadable job spec: " + e.getMessage());
                    continue;
                }
            }
            parsed.put(job.id(), request);
            String quotaProblem = quotas.exceeded(limits.get(job.tenant()), share.usage(job.tenant()), job);
            if (quotaProblem != null) {
                pendingReasons.put(job.id(), quotaProblem);
                continue;
            }
            JobRequest shape = new JobRequest("", request.tenant(), request.priority(), request.taskGroups());
            String knownFailure = failedShapes.get(shape);
            if (knownFailure != null) {
                pendingReasons.put(job.id(), knownFailure);
                continue;
            }
            PlacementResult result = engine.place(state, request, seed);
            if (result instanceof PlacementResult.Placed p) {
                if (properties.backfill() && usesAny(p.assignments(), reserved)) {
                    p.assignments().forEach(state::release);
                    pendingReasons.put(job.id(), "backfill: would delay a reservation on "
                            + String.join(", ", reserved.stream().sorted().limit(5).toList()));
                    continue;
                }
                pending.add(new PlacementCommitter.Pending(job, p.assignments()));
                attempted++;
                share.add(job.tenant(), job);
                if (pending.size() >= COMMIT_BATCH) {
                    placed += flush(pending, state);
                    pending.clear();
                }
                continue;
            }
            PlacementResult.Unschedulable why = (PlacementResult.Unschedulable) result;
            if (job.priority() >= properties.preemptionMinPriority() && !stopping) {
                List<ClusterView.Holder> victims = victims(engine, state, request, job, holders, seed);
                if (!victims.isEmpty()) {
                    try {
                        for (ClusterView.Holder v : victims) {
                            if (committer.preempt(v.jobId(), "preempted by job " + job.id() + " (priority " + job.priority() + ")"))
                                preempted++;
                        }
                    } catch (LeaderFence.NotLeader deposed) {
                        break; // another control plane leads now: it decides
                    }
                    stopping = true;
                    pendingReasons.put(job.id(), "waiting for " + victims.size() + " preempted job(s) to stop");
                    continue;
                }
            }
            if (properties.backfill() && !reservationMade) {
                reservationMade = true;
                reserved.addAll(reservationFor(engine, state, request, holders, seed));
            }
            pendingReasons.put(job.id(), why.summary());
            failedShapes.put(shape, why.summary());
        }
        if (!pending.isEmpty()) placed += flush(pending, state);
        int conflicts = attempted - placed;
        jobs.setPendingReasons(pendingReasons);
        requests = parsed;
        if (placed > 0 || preempted > 0)
            log.debug("cycle: {} queued, {} placed, {} preempted, {} conflicts", queue.size(), placed, preempted, conflicts);
        return new CycleResult(queue.size(), placed, preempted, conflicts);
    }

    /**
     * Commits the cycle's pending placements, all in one transaction when nothing refuses; otherwise job by job, so
     * the jobs that can still be committed are. A job whose commit is refused (another loop or a concurrent change
     * won) is released from the working state and tried again next cycle. Returns how many were committed.
     */
    private int flush(List<PlacementCommitter.Pending> batch, PlacementState state) {
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
                p.assignments().forEach(state::release);
                log.debug("placement of job {} not committed: {}", p.job().id(), e.getMessage());
            }
        }
        return committed;
    }

    private static boolean usesAny(List<Assignment> assignments, Set<String> servers) {
        if (servers.isEmpty()) return false;
        for (Assignment a : assignments) if (servers.contains(a.server())) return true;
        return false;
    }

    /**
     * The fewest lower-priority jobs (lowest priority first, newest first) whose removal lets the job fit; empty
     * when no such set exists. Works on copies of the cycle's state.
     */
    private List<ClusterView.Holder> victims(PlacementEngine engine, PlacementState state, JobRequest request, JobRow job,
                                             List<ClusterView.Holder> holders, long seed) {
        List<ClusterView.Holder> candidates = new ArrayList<>(holders.stream()
                .filter(h -> h.priority() < job.priority() && !h.stopping()).toList());
        candidates.sort(Comparator.comparingInt(ClusterView.Holder::priority)
                .thenComparing(ClusterView.Holder::createdAt, Comparator.reverseOrder()));
        PlacementState copy = state.copy();
        List<ClusterView.Holder> chosen = new ArrayList<>();
        boolean fits = false;
        for (ClusterView.Holder h : candidates) {
            copy.release(h.allocation());
            chosen.add(h);
            if (fits(engine, copy.copy(), request, seed)) {
                fits = true;
                break;
            }
        }
        if (!fits) return List.of();
        // drop victims that turn out not to be needed, newest choice last
        for (int i = chosen.size() - 2; i >= 0; i--) {
            PlacementState without = state.copy();
            for (int j = 0; j < chosen.size(); j++) if (j != i) without.release(chosen.get(j).allocation());
            if (fits(engine, without, request, seed)) chosen.remove(i);
        }
        return chosen;
    }

    private static boolean fits(PlacementEngine engine, PlacementState state, JobRequest request, long seed) {
        return engine.place(state, request, seed) instanceof PlacementResult.Placed;
    }

    /** Servers the blocked job would use once the running work is gone. */
    private static Set<String> reservationFor(PlacementEngine engine, PlacementState state, JobRequest request, List<ClusterView.Holder> holders,
                                       long seed) {
        PlacementState drained = state.copy();
        for (ClusterView.Holder h : holders) drained.release(h.allocation());
        PlacementResult r = engine.place(drained, request, seed);
        if (!(r instanceof PlacementResult.Placed p)) return Set.of();
        Set<String> servers = new HashSet<>();
        p.assignments().forEach(a -> servers.add(a.server()));
        return servers;
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

    /**
     * Dominant resource fairness between tenants of the same priority: the tenant with the smallest dominant share
     * (max of its GPU and CPU share of the cluster) goes next; FIFO within a tenant.
     */
    static final class FairShare {
        private final double gpuCapacity;
        private final double cpuCapacity;
        private final Map<String, long[]> usage;

        /** @param usage {gpuMilli, cpuMillis} held per tenant; taken over (added to as jobs are placed) */
        FairShare(long gpuMilliCapacity, long cpuMillisCapacity, Map<String, long[]> usage) {
            this.gpuCapacity = Math.max(1, gpuMilliCapacity);
            this.cpuCapacity = Math.max(1, cpuMillisCapacity);
            this.usage = usage;
        }

        long[] usage(String tenant) {
            return usage.getOrDefault(tenant, new long[2]);
        }

        void add(String tenant, JobRow job) {
            long[] u = usage.computeIfAbsent(tenant, t -> new long[2]);
            u[0] += job.gpuMilli();
            u[1] += job.cpuMillis();
        }

        /** The queue (already by priority, then age) reordered by DRF inside each priority. */
        List<JobRow> order(List<JobRow> queue) {
            List<JobRow> ordered = new ArrayList<>(queue.size());
            int i = 0;
            while (i < queue.size()) {
                int priority = queue.get(i).priority();
                Map<String, Deque<JobRow>> byTenant = new LinkedHashMap<>();
                while (i < queue.size() && queue.get(i).priority() == priority) {
                    byTenant.computeIfAbsent(queue.get(i).tenant(), t -> new ArrayDeque<>()).add(queue.get(i));
                    i++;
                }
                if (byTenant.size() == 1) {
                    ordered.addAll(byTenant.values().iterator().next());
                    continue;
                }
                // simulate shares growing as jobs are taken, so one tenant's backlog cannot starve another
                Map<String, long[]> simulated = new HashMap<>();
                byTenant.keySet().forEach(t -> simulated.put(t, usage(t).clone()));
                while (!byTenant.isEmpty()) {
                    String next = null;
                    double best = Double.MAX_VALUE;
                    for (String t : byTenant.keySet()) {
                        long[] u = simulated.get(t);
                        double s = Math.max(u[0] / gpuCapacity, u[1] / cpuCapacity);
                        if (s < best) {
                            best = s;
                            next = t;
                        }
                    }
                    JobRow job = byTenant.get(next).poll();
                    ordered.add(job);
                    simulated.get(next)[0] += job.gpuMilli();
                    simulated.get(next)[1] += job.cpuMillis();
                    if (byTenant.get(next).isEmpty()) byTenant.remove(next);
                }
            }
            return ordered;
        }
    }
}
