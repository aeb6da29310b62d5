package io.berth.api.scheduling;

import io.berth.api.jobs.JobRepository;
import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobState;
import io.berth.api.jobs.WorkerRepository;
import io.berth.api.jobs.WorkerRow;
import io.berth.api.jobs.WorkerState;
import io.berth.api.leader.LeaderFence;
import io.berth.api.leader.Leadership;
import io.berth.api.jobs.WorkersChanged;
import io.berth.core.placement.Assignment;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Writes one placement in one transaction: the job moves QUEUED to SCHEDULED only if its version is unchanged, and
 * every worker adds its demand to the usage counters, whose CHECK constraints refuse over-allocation. Any refusal
 * rolls the whole placement back. It first passes the leader fence (refused unless this process leads under the
 * current epoch) and stamps the workers with that epoch.
 */
@Component
class PlacementCommitter {
    private final JobRepository jobs;
    private final WorkerRepository workers;
    private final JdbcClient jdbc;
    private final SchedulerProperties properties;
    private final LeaderFence fence;
    private final Leadership leadership;
    private final ApplicationEventPublisher events;

    PlacementCommitter(JobRepository jobs, WorkerRepository workers, JdbcClient jdbc, SchedulerProperties properties,
                       LeaderFence fence, Leadership leadership, ApplicationEventPublisher events) {
        this.events = events;
        this.jobs = jobs;
        this.workers = workers;
        this.jdbc = jdbc;
        this.properties = properties;
        this.fence = fence;
        this.leadership = leadership;
    }

    /** Thrown to roll back when the job changed since it was read. */
    static final class StaleJob extends RuntimeException {
        StaleJob(UUID id) {
            super("job " + id + " changed since the cycle read it");
        }
    }

    @Transactional
    void commit(JobRow job, List<Assignment> assignments) {
        long epoch = fence.check(leadership); // first: a deposed leader writes nothing (LeaderFence, V4)
        int attempt = job.attempt() + 1;
        if (!jobs.schedule(job.id(), job.version(), attempt)) throw new StaleJob(job.id());
        // Ranks follow task-group order then replica index; rank 0's server hosts the rendezvous (MASTER_ADDR).
        List<Assignment> ordered = new ArrayList<>(assignments);
        List<String> groupOrder = ordered.stream().map(Assignment::taskGroup).distinct().toList();
        ordered.sort(Comparator.<Assignment>comparingInt(a -> groupOrder.indexOf(a.taskGroup()))
                .thenComparingInt(Assignment::replica));
        String masterAddr = agentAddress(ordered.get(0).server());
        int masterPort = properties.masterPortBase() + Math.floorMod(job.id().hashCode(), 5000);
        String placed = placementText(ordered);
        for (int rank = 0; rank < ordered.size(); rank++) {
            Assignment a = ordered.get(rank);
            workers.reserve(new WorkerRow(UUID.randomUUID(), job.id(), attempt, a.taskGroup(), a.replica(), rank,
                    ordered.size(), 0, a.server(), a.gpuIndices(), a.gpuIndices().isEmpty() ? 0 : a.milliGpuPerGpu(),
                    a.cpuMillis(), a.memoryMib(), a.networkMbps(), a.storageGib(), a.storageMbPerSec(), masterAddr, masterPort, WorkerState.ASSIGNED,
                    true, null, null));
        }
        jdbc.sql("UPDATE workers SET leader_epoch = ? WHERE job_id = ? AND attempt = ?")
                .params(epoch, job.id(), attempt).update();
        jobs.event(job.id(), JobState.QUEUED, JobState.SCHEDULED,
                "placed on " + placed);
        events.publishEvent(new WorkersChanged(ordered.stream().map(Assignment::server).collect(Collectors.toSet())));
    }

    private String agentAddress(String server) {
        return jdbc.sql("SELECT coalesce(agent_address, name) FROM servers WHERE name = ?").param(server)
                .query(String.class).single();
    }

    private static String placementText(List<Assignment> assignments) {
        StringBuilder sb = new StringBuilder();
        for (Assignment a : assignments) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(a.server());
            if (!a.gpuIndices().isEmpty()) sb.append(" GPU ").append(a.gpuIndices());
            if (sb.length() > 400) {
                sb.append(", ...");
                break;
            }
        }
        return sb.toString();
    }
}
