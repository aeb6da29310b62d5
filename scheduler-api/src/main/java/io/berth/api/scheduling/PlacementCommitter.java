package io.berth.api.scheduling;

import io.berth.api.jobs.JobLifecycle;
import io.berth.api.jobs.JobQueue;
import io.berth.api.jobs.JobRow;
import io.berth.api.jobs.JobState;
import io.berth.api.jobs.WorkerRow;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Writes one placement in one transaction: the job moves QUEUED to SCHEDULED only if its version is unchanged, and
 * every worker adds its demand to the usage counters, whose CHECK constraints refuse over-allocation. Any refusal
 * rolls the whole placement back. It first passes the leader fence (refused unless this process leads under the
 * current epoch) and stamps the workers with that epoch. The loop's preemptions pass the same fence.
 */
@Component
class PlacementCommitter {
    private final JobQueue jobs;
    private final JdbcClient jdbc;
    private final SchedulerProperties properties;
    private final LeaderFence fence;
    private final Leadership leadership;
    private final ApplicationEventPublisher events;
    private final JobLifecycle lifecycle;

    PlacementCommitter(JobQueue jobs, JdbcClient jdbc, SchedulerProperties properties,
                       LeaderFence fence, Leadership leadership, ApplicationEventPublisher events, JobLifecycle lifecycle) {
        this.events = events;
        this.lifecycle = lifecycle;
        this.jobs = jobs;
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

    /** A placement decided by the engine, waiting to be committed. */
    record Pending(JobRow job, List<Assignment> assignments) {
    }

    @Transactional
    void commit(JobRow job, List<Assignment> assignments) {
        long epoch = fence.check(leadership); // first: a deposed leader writes nothing (LeaderFence, V4)
        int attempt = job.attempt() + 1;
        if (!jobs.schedule(job.id(), job.version(), attempt)) throw new StaleJob(job.id());
        List<Assignment> ordered = ranked(assignments);
        String master = ordered.get(0).server();
        String masterAddr = agentAddress(master);
        Set<Integer> ports = portsInUse(List.of(master)).getOrDefault(master, new HashSet<>());
        jobs.addWorkers(workerRows(job, attempt, ordered, masterAddr, ports), epoch);
        jobs.event(job.id(), JobState.QUEUED, JobState.SCHEDULED, "placed on " + placementText(ordered));
        events.publishEvent(new WorkersChanged(ordered.stream().map(Assignment::server).collect(Collectors.toSet())));
    }

    /**
     * Commits many placements in one transaction, with the same guards as {@link #commit} (fence, job versions,
     * READY servers, healthy GPUs, the usage CHECK constraints) but a fixed number of statements whatever the batch
     * size. Any refusal rolls the whole batch back with an exception; the caller then commits the jobs one by one,
     * so one stale job costs the others only a retry.
     */
    @Transactional
    void commitAll(List<Pending> batch) {
        long epoch = fence.check(leadership);
        Set<UUID> scheduled = jobs.scheduleAll(batch.stream()
                .map(p -> new JobQueue.Scheduling(p.job().id(), p.job().version(), p.job().attempt() + 1)).toList());
        for (Pending p : batch) if (!scheduled.contains(p.job().id())) throw new StaleJob(p.job().id());
        Map<String, String> addresses = new HashMap<>();
        List<String> names = batch.stream().flatMap(p -> p.assignments().stream()).map(Assignment::server).distinct().toList();
        jdbc.sql("SELECT name, coalesce(agent_address, name) FROM servers WHERE name = ANY (?)")
                .param(names.toArray(String[]::new))
                .query(rs -> {
                    addresses.put(rs.getString(1), rs.getString(2));
                });
        Map<String, Set<Integer>> ports = portsInUse(names);
        List<WorkerRow> rows = new ArrayList<>();
        List<JobQueue.NewEvent> placedEvents = new ArrayList<>(batch.size());
        Set<String> servers = new HashSet<>();
        for (Pending p : batch) {
            List<Assignment> ordered = ranked(p.assignments());
            String master = ordered.get(0).server();
            rows.addAll(workerRows(p.job(), p.job().attempt() + 1, ordered, addresses.get(master),
                    ports.computeIfAbsent(master, k -> new HashSet<>())));
            placedEvents.add(new JobQueue.NewEvent(p.job().id(), JobState.QUEUED, JobState.SCHEDULED,
                    "placed on " + placementText(ordered)));
            ordered.forEach(a -> servers.add(a.server()));
        }
        jobs.addWorkers(rows, epoch);
        jobs.events(placedEvents);
        events.publishEvent(new WorkersChanged(servers));
    }

    /**
     * Preempts a job for the loop behind the same fence as placements, in one transaction: a deposed leader stops
     * nothing ({@link LeaderFence.NotLeader}). False when the job is no longer placed.
     */
    @Transactional
    boolean preempt(UUID jobId, String reason) {
        fence.check(leadership);
        return lifecycle.preempt(jobId, reason);
    }

    /** Ranks follow task-group order then replica index; rank 0's server hosts the rendezvous (MASTER_ADDR). */
    private static List<Assignment> ranked(List<Assignment> assignments) {
        List<Assignment> ordered = new ArrayList<>(assignments);
        List<String> groupOrder = ordered.stream().map(Assignment::taskGroup).distinct().toList();
        ordered.sort(Comparator.<Assignment>comparingInt(a -> groupOrder.indexOf(a.taskGroup()))
                .thenComparingInt(Assignment::replica));
        return ordered;
    }

    private List<WorkerRow> workerRows(JobRow job, int attempt, List<Assignment> ordered, String masterAddr,
                                       Set<Integer> portsInUse) {
        int masterPort = masterPort(job.id(), ordered, portsInUse);
        List<WorkerRow> rows = new ArrayList<>(ordered.size());
        for (int rank = 0; rank < ordered.size(); rank++) {
            rows.add(WorkerRow.assigned(job.id(), attempt, ordered.get(rank), rank, ordered.size(), masterAddr,
                    masterPort));
        }
        return rows;
    }

    /** Ports handed out as MASTER_PORT: {@code master-port-base} and the next {@value #MASTER_PORTS} - 1. */
    static final int MASTER_PORTS = 5000;

    /**
     * The rendezvous port of a multi-replica job: the first port, from a start derived from the job id (so ports
     * spread and a just-released one is not reused at once), that no other multi-replica job whose rank 0 runs on
     * the same server holds. V6's unique index on those rank-0 workers settles races between two committers: the
     * loser's transaction is refused and the job is placed again. A single replica opens no rendezvous; its port
     * is recorded but never sent to the agent.
     */
    private int masterPort(UUID job, List<Assignment> ordered, Set<Integer> portsInUse) {
        int start = Math.floorMod(job.hashCode(), MASTER_PORTS);
        if (ordered.size() == 1) return properties.masterPortBase() + start;
        for (int i = 0; i < MASTER_PORTS; i++) {
            int port = properties.masterPortBase() + (start + i) % MASTER_PORTS;
            if (portsInUse.add(port)) return port;
        }
        throw new IllegalStateException("no free MASTER_PORT on " + ordered.get(0).server());
    }

    /** Rendezvous ports held on each of {@code servers} (as rank 0 of a multi-replica job still holding resources). */
    private Map<String, Set<Integer>> portsInUse(List<String> servers) {
        Map<String, Set<Integer>> ports = new HashMap<>();
        jdbc.sql("""
                        SELECT s.name, w.master_port FROM workers w JOIN servers s ON s.id = w.server_id
                        WHERE w.rank = 0 AND w.world_size > 1 AND w.holds_resources AND s.name = ANY (?)""")
                .param(servers.toArray(String[]::new))
                .query(rs -> {
                    ports.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getInt(2));
                });
        return ports;
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
