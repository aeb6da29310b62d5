package io.berth.api.jobs;

import io.berth.core.protocol.MetricsReport;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What agents and the health policy read and write of workers besides their state ({@link JobLifecycle}): a server's
 * workers, one worker, its metrics and logs, and the jobs on a GPU. The repository behind it stays inside jobs.
 * Callers own the transaction.
 */
@Component
public class ServerWorkers {
    private final WorkerRepository workers;

    ServerWorkers(WorkerRepository workers) {
        this.workers = workers;
    }

    /** A job by id and name. */
    public record JobName(UUID id, String name) {
    }

    public Optional<WorkerRow> find(UUID id) {
        return workers.find(id);
    }

    /** The server's workers in one of {@code states}, oldest first. */
    public List<WorkerRow> ofServer(long serverId, Collection<WorkerState> states) {
        return workers.ofServer(serverId, states);
    }

    /** A worker's figures for one epoch, one statement; a repeated epoch replaces them (delivery is at least once). */
    public void recordMetrics(WorkerRow w, MetricsReport m) {
        workers.recordMetrics(w, m);
    }

    /** Appends a worker's log lines in one batch; NUL characters are dropped (PostgreSQL text cannot hold them). */
    public void appendLogs(WorkerRow w, List<String> lines) {
        workers.appendLogs(w, lines);
    }

    /** The jobs whose current attempt has an ASSIGNED or RUNNING worker on this GPU, by name. */
    public List<JobName> jobsOnGpu(long serverId, int index) {
        return workers.jobsOnGpu(serverId, index);
    }
}
