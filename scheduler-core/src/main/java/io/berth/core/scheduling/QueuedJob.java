package io.berth.core.scheduling;

import io.berth.core.placement.JobRequest;
import io.berth.core.placement.TaskGroup;

import java.time.Instant;
import java.util.Objects;

/**
 * A job waiting to be placed, as the scheduling cycle sees it.
 *
 * @param request       what it asks for; its {@code jobId} is the job's id ({@link #id()})
 * @param submittedAt   when it was queued: the age that orders jobs of one priority (older first)
 * @param demand        what it holds while it runs, as fair share and quotas count it
 * @param maxRunSeconds the longest it may run once started; null = unbounded (unknown end)
 */
public record QueuedJob(JobRequest request, Instant submittedAt, Usage demand, Integer maxRunSeconds) {
    public QueuedJob {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(submittedAt, "submittedAt");
        Objects.requireNonNull(demand, "demand");
        if (maxRunSeconds != null && maxRunSeconds < 0) throw new IllegalArgumentException("maxRunSeconds must be >= 0");
    }

    /** A job whose demand is every replica of every task group of its request. */
    public static QueuedJob of(JobRequest request, Instant submittedAt, Integer maxRunSeconds) {
        return new QueuedJob(request, submittedAt, demandOf(request), maxRunSeconds);
    }

    /** Every replica's milli-GPU and millicores, summed. */
    public static Usage demandOf(JobRequest request) {
        long gpu = 0, cpu = 0;
        for (TaskGroup g : request.taskGroups()) {
            gpu += g.replicas() * g.gpuMilliPerReplica();
            cpu += g.replicas() * g.cpuMillis();
        }
        return new Usage(gpu, cpu);
    }

    public String id() {
        return request.jobId();
    }

    public String tenant() {
        return request.tenant();
    }

    public int priority() {
        return request.priority();
    }
}
