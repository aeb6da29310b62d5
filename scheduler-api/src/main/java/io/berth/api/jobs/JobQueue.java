package io.berth.api.jobs;

import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What other features read and write of jobs besides the state machine ({@link JobLifecycle}): the scheduling loop's
 * queue and pending reasons, a placement's commit (the job QUEUED to SCHEDULED, its workers with their reservations,
 * its event), and the jobs past their run time. The repositories behind it stay inside jobs. Callers own the
 * transaction; each method is the statement count of the repository method it names.
 */
@Component
public class JobQueue {
    private final JobRepository jobs;
    private final WorkerRepository workers;

    JobQueue(JobRepository jobs, WorkerRepository workers) {
        this.jobs = jobs;
        this.workers = workers;
    }

    /** One job of a batched placement commit: move it to SCHEDULED under {@code attempt} if still at {@code version}. */
    public record Scheduling(UUID id, long version, int attempt) {
    }

    /** An event to record with {@link #events(List)}. */
    public record NewEvent(UUID jobId, JobState from, JobState to, String reason) {
    }

    public Optional<JobRow> find(UUID id) {
        return jobs.find(id);
    }

    /** The queue: QUEUED jobs by priority (highest first), then age, at most {@code limit}. */
    public List<JobRow> queued(int limit) {
        return jobs.queued(limit);
    }

    /** Why each queued job waits, in one statement; a job's row is written only when its reason changed. */
    public void setPendingReasons(Map<UUID, String> reasons) {
        jobs.setPendingReasons(reasons);
    }

    /** SCHEDULED or RUNNING jobs past their maximum run time (counted from their start, else their last change). */
    public List<UUID> overdue() {
        return jobs.overdue();
    }

    /** Placement commit: QUEUED to SCHEDULED only if nobody changed the job since {@code version} was read. */
    public boolean schedule(UUID id, long version, int attempt) {
        return jobs.schedule(id, version, attempt);
    }

    /** {@link #schedule} for many jobs in one statement; returns the ids that moved (the others changed meanwhile). */
    public Set<UUID> scheduleAll(List<Scheduling> batch) {
        return jobs.scheduleAll(batch);
    }

    /**
     * A placement's workers, of one job or many: their reservations on the usage counters and the worker rows,
     * stamped with the leader epoch (see {@link WorkerRepository#reserveAll}). A refusal throws; the caller's
     * transaction must then roll back.
     */
    public void addWorkers(List<WorkerRow> rows, long leaderEpoch) {
        workers.reserveAll(rows, leaderEpoch);
    }

    public void event(UUID id, JobState from, JobState to, String reason) {
        jobs.event(id, from, to, reason);
    }

    /** Records many events in one statement, in list order. */
    public void events(List<NewEvent> events) {
        jobs.events(events);
    }
}
