package io.berth.api.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The job and worker state machine. Every method is one transaction that first locks the job row, so reports from
 * agents, cancellations, timeouts and the scheduling loop serialise per job. All methods are idempotent: replaying a
 * report or a cancel changes nothing the second time.
 */
@Service
public class JobLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);
    private static final Set<WorkerState> STARTABLE = EnumSet.of(WorkerState.ASSIGNED);
    private static final Set<JobState> PLACED = EnumSet.of(JobState.SCHEDULED, JobState.RUNNING);
    private static final Set<WorkerState> LIVE_WORKER = EnumSet.of(WorkerState.ASSIGNED, WorkerState.RUNNING);

    private final JobRepository jobs;
    private final WorkerRepository workers;
    private final ApplicationEventPublisher events;

    JobLifecycle(JobRepository jobs, WorkerRepository workers, ApplicationEventPublisher events) {
        this.events = events;
        this.jobs = jobs;
        this.workers = workers;
    }

    /** An agent's report about one of its workers. Unknown workers are ignored (returns false). */
    @Transactional
    public boolean workerReported(UUID workerId, WorkerState reported, Integer exitCode, String message) {
        WorkerRow w = workers.find(workerId).orElse(null);
        return w != null && workerReported(w, reported, exitCode, message);
    }

    /**
     * An agent's report about a worker the caller has read (the heartbeat reconciler's read): no second lookup. The
     * row may be stale (a cancel or a failed sibling may have marked it STOPPING since): the transitions check the
     * state they move from in their UPDATEs, and a stopped worker's end is STOPPED whatever the row said.
     */
    @Transactional
    public boolean workerReported(WorkerRow w, WorkerState reported, Integer exitCode, String message) {
        UUID workerId = w.id();
        JobRow job = jobs.lock(w.jobId()).orElseThrow();
        boolean current = w.attempt() == job.attempt() && PLACED.contains(job.state());
        switch (reported) {
            case RUNNING -> {
                if (workers.transition(workerId, STARTABLE, WorkerState.RUNNING, null, null) && current
                        && job.state() == JobState.SCHEDULED && allIn(job, EnumSet.of(WorkerState.RUNNING,
                        WorkerState.SUCCEEDED))) {
                    jobs.transition(job.id(), Set.of(JobState.SCHEDULED), JobState.RUNNING, "all workers running");
                }
            }
            case SUCCEEDED -> {
                if (end(w, WorkerState.SUCCEEDED, exitCode, message) == WorkerState.SUCCEEDED && current
                        && allIn(job, EnumSet.of(WorkerState.SUCCEEDED))) {
                    if (job.state() == JobState.SCHEDULED)
                        jobs.transition(job.id(), Set.of(JobState.SCHEDULED), JobState.RUNNING, "all workers running");
                    jobs.transition(job.id(), PLACED, JobState.SUCCEEDED, "all workers succeeded");
                }
            }
            case FAILED, LOST, STOPPED -> {
                WorkerState to = end(w, reported, exitCode, message);
                if (to != null && to != WorkerState.STOPPED && current) {
                    attemptFailed(job, "worker rank " + w.rank() + " on " + w.serverName() + " "
                            + (reported == WorkerState.LOST ? "was lost" : "failed")
                            + (exitCode == null ? "" : " with exit code " + exitCode)
                            + (message == null || message.isBlank() ? "" : ": " + message));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Ends a worker as reported, or as STOPPED when it was being stopped. Decided by the row as it is now, under the
     * job's lock, not as the caller read it: a cancel, a preemption or a failed sibling may have marked it STOPPING
     * since. Tries the transition the caller's read expects first, so a second statement runs only when that read was
     * stale (a STOPPING worker never becomes live again). Returns the state it ended in, or null if it had already ended.
     */
    private WorkerState end(WorkerRow w, WorkerState reported, Integer exitCode, String message) {
        if (w.state() != WorkerState.STOPPING
                && workers.transition(w.id(), LIVE_WORKER, reported, exitCode, message)) return reported;
        if (workers.transition(w.id(), Set.of(WorkerState.STOPPING), WorkerState.STOPPED, exitCode, message))
            return WorkerState.STOPPED;
        return null;
    }

    /** Cancels a live job: CANCELLED at once, its workers are told to stop. False if it had already ended. */
    @Transactional
    public boolean cancel(UUID jobId, String reason) {
        JobRow job = jobs.lock(jobId).orElseThrow();
        if (!jobs.transition(jobId, JobState.LIVE, JobState.CANCELLED, reason)) return false;
        stopWorkers(job);
        return true;
    }

    /** Jobs that {@link #hold} accepts. */
    static final Set<JobState> HOLDABLE = EnumSet.of(JobState.QUEUED);
    /** Jobs that {@link #requeue} accepts: placed ones (their workers are stopped) and ended ones that did not succeed. */
    static final Set<JobState> REQUEUEABLE = EnumSet.of(JobState.SCHEDULED, JobState.RUNNING, JobState.FAILED,
            JobState.CANCELLED);

    /** QUEUED to HELD: the scheduler leaves it alone until {@link #release}. False if it was not QUEUED. */
    @Transactional
    public boolean hold(UUID jobId, String reason) {
        jobs.lock(jobId).orElseThrow();
        return jobs.transition(jobId, HOLDABLE, JobState.HELD, reason);
    }

    /** HELD to QUEUED. False if it was not HELD. */
    @Transactional
    public boolean release(UUID jobId, String reason) {
        jobs.lock(jobId).orElseThrow();
        return jobs.transition(jobId, Set.of(JobState.HELD), JobState.QUEUED, reason);
    }

    /**
     * Back to QUEUED: a placed job's workers are stopped and no retry is charged (as after a preemption); a FAILED or
     * CANCELLED job runs again with its retries restored. False if the job is in none of {@link #REQUEUEABLE}.
     */
    @Transactional
    public boolean requeue(UUID jobId, String reason) {
        JobRow job = jobs.lock(jobId).orElseThrow();
        if (!jobs.transition(jobId, REQUEUEABLE, JobState.QUEUED, reason)) return false;
        if (PLACED.contains(job.state())) stopWorkers(job);
        else jobs.resetFailures(jobId);
        return true;
    }

    /** Evicts a placed job for a higher-priority one: PREEMPTED, then QUEUED again; no retry is used up. */
    @Transactional
    public boolean preempt(UUID jobId, String reason) {
        JobRow job = jobs.lock(jobId).orElseThrow();
        if (!jobs.transition(jobId, PLACED, JobState.PREEMPTED, reason))
            return false;
        stopWorkers(job);
        jobs.transition(jobId, Set.of(JobState.PREEMPTED), JobState.QUEUED, "requeued after preemption");
        return true;
    }

    /**
     * An accelerator the job runs on failed (the health policy's {@code requeue}): its workers are stopped and it is
     * QUEUED again, to resume from its checkpoint (one directory per job, shared by its attempts), without counting a
     * failure against its retries: the hardware failed, not the job. False if it was not placed.
     */
    @Transactional
    public boolean requeueAfterHardwareError(UUID jobId, String reason) {
        JobRow job = jobs.lock(jobId).orElseThrow();
        if (!PLACED.contains(job.state())) return false;
        stopWorkers(job);
        return jobs.transition(jobId, PLACED, JobState.QUEUED, reason);
    }

    /** A job ran past its maximum run time: FAILED without retry. */
    @Transactional
    public boolean timedOut(UUID jobId, String reason) {
        JobRow job = jobs.lock(jobId).orElseThrow();
        if (!jobs.transition(jobId, PLACED, JobState.FAILED, reason))
            return false;
        stopWorkers(job);
        return true;
    }

    /** Every active worker of the server is LOST (its agent went silent); their jobs are requeued or fail. */
    @Transactional
    public int serverLost(long serverId, String serverName) {
        List<WorkerRow> affected = workers.ofServer(serverId, WorkerState.ACTIVE);
        for (WorkerRow w : affected) {
            workerReported(w.id(), WorkerState.LOST, null, "server " + serverName + " stopped responding");
        }
        return affected.size();
    }

    /** The current attempt failed: stop its other workers, then requeue, or FAIL when out of retries. */
    private void attemptFailed(JobRow job, String reason) {
        stopWorkers(job);
        jobs.countFailure(job.id());
        int failures = job.failures() + 1;
        if (failures > job.maxRetries()) {
            jobs.transition(job.id(), PLACED, JobState.FAILED,
                    "out of retries (" + job.maxRetries() + "): " + reason);
        } else {
            jobs.transition(job.id(), PLACED, JobState.QUEUED,
                    "requeued (failure " + failures + " of at most " + (job.maxRetries() + 1) + "): " + reason);
        }
        log.info("job {} attempt {} failed: {}", job.id(), job.attempt(), reason);
    }

    private void stopWorkers(JobRow job) {
        Set<String> servers = new HashSet<>();
        for (WorkerRow w : workers.ofJob(job.id())) {
            if (LIVE_WORKER.contains(w.state())
                    && workers.transition(w.id(), LIVE_WORKER, WorkerState.STOPPING, null, "stop requested"))
                servers.add(w.serverName());
        }
        if (!servers.isEmpty()) events.publishEvent(new WorkersChanged(servers));
    }

    private boolean allIn(JobRow job, Set<WorkerState> states) {
        List<WorkerRow> attempt = workers.ofJob(job.id()).stream().filter(w -> w.attempt() == job.attempt()).toList();
        return !attempt.isEmpty() && attempt.stream().allMatch(w -> states.contains(w.state()));
    }
}
