package io.berth.api.jobs;

import io.berth.core.spec.JobSpec;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the jobs API returns. */
public final class JobViews {
    private JobViews() {
    }

    /**
     * One line of a listing. {@code gpuMilli}: the GPU share of all replicas together (1000 = one GPU);
     * {@code servers}: where the current attempt runs or ran, empty while the job waits.
     */
    public record JobSummary(UUID id, String name, String tenant, int priority, JobState state, int attempt,
                             String pendingReason, String message, Instant createdAt, Instant startedAt,
                             Instant finishedAt, long gpuMilli, List<String> servers) {
        static JobSummary of(JobRow j, List<String> servers) {
            return new JobSummary(j.id(), j.name(), j.tenant(), j.priority(), j.state(), j.attempt(),
                    j.pendingReason(), j.message(), j.createdAt(), j.startedAt(), j.finishedAt(), j.gpuMilli(),
                    servers == null ? List.of() : servers);
        }
    }

    /** A placed replica: where it runs and how it is doing. */
    public record WorkerView(UUID id, int attempt, String taskGroup, int replica, int rank, String server,
                             List<Integer> gpuIndices, int milliGpu, WorkerState state, Integer exitCode,
                             String message) {
        static WorkerView of(WorkerRow w) {
            return new WorkerView(w.id(), w.attempt(), w.taskGroup(), w.replica(), w.rank(), w.serverName(),
                    w.gpuIndices(), w.milliGpu(), w.state(), w.exitCode(), w.message());
        }
    }

    /** Loss and accuracy per epoch as reported by rank 0 (all ranks hold the averaged model). */
    public record EpochMetric(int epoch, double loss, Double accuracy, Double samplesPerSecond, Instant at) {
    }

    /**
     * A job in full. {@code pendingReason} says why a queued job waits (the engine's reasons across servers, a
     * quota, a reservation); {@code placement} lists the workers of the current attempt; {@code events} every
     * state change with time and reason.
     */
    /**
     * @param queuePosition    for a queued job: its place in the order the scheduler tries the queue (1 = first); else
     *                         null
     * @param estimatedStartAt for a queued job: when it would probably start (see POST /api/v1/jobs/what-if); null when
     *                         not queued or not known
     */
    public record JobDetail(UUID id, String name, String tenant, int priority, JobState state, int attempt,
                            int failures, int retries, Integer maxRunSeconds, String pendingReason, String message,
                            Instant createdAt, Instant startedAt, Instant finishedAt, JobSpec spec,
                            List<WorkerView> placement, List<JobRepository.Event> events, List<EpochMetric> metrics,
                            Integer queuePosition, Instant estimatedStartAt) {
    }

    public record Submitted(UUID id, JobState state, boolean replayed) {
    }

    /** The jobs of a batch submission, in request order. */
    public record BatchSubmitted(List<Submitted> jobs) {
    }

    public record LogLines(List<Line> lines, long next) {
        public record Line(long id, int rank, Instant at, String text) {
        }
    }
}
