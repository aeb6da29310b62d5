package io.berth.api.agents;

import io.berth.api.jobs.WorkerState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A heartbeat's workers: what the agent reports against what the control plane assigns to its server. Pure: no
 * database, no Spring, no clock; {@link AgentService} reads the workers, asks, and writes the answer.
 *
 * <p>A heartbeat is reconciled in two steps, because applying a report can change other workers (a failed worker
 * fails its job's attempt, which tells its siblings, maybe on this server, to stop):
 * <ol>
 *   <li>{@link #reports}: the reports against the stored states of the reported workers: the transitions to write,
 *   and the workers to stop that are not this server's (an agent never changes another server's workers);</li>
 *   <li>{@link #assignments}: the server's active workers, read again after those transitions, against the reports:
 *   what to start, what to stop, and the transitions of workers the agent does not report.</li>
 * </ol>
 * Both are idempotent: the same reports against the states they produced give no transition (a held heartbeat is
 * re-run on wake-up).
 */
final class HeartbeatReconciler {
    private HeartbeatReconciler() {
    }

    /** A worker as the agent reports it: RUNNING, SUCCEEDED or FAILED. */
    record Report(UUID workerId, WorkerState state, Integer exitCode, String message) {
    }

    /** A worker of this server as the control plane stores it. */
    record Stored(UUID workerId, WorkerState state) {
    }

    /** A state to write through the job lifecycle (which decides what it means for the job). */
    record Transition(UUID workerId, WorkerState to, Integer exitCode, String message) {
    }

    /** A worker the agent is to stop, and why. */
    record Stop(UUID workerId, String reason) {
    }

    record ReportsOutcome(List<Transition> transitions, List<Stop> stop) {
    }

    record Directives(List<UUID> start, List<Stop> stop, List<Transition> transitions) {
    }

    static final String NOT_OURS = "not a worker of this server";
    static final String STOP_REQUESTED = "stop requested";
    static final String ENDED = "the worker ended here";
    static final String NOT_RUNNING = "not running on the agent";
    static final String NO_LONGER_RUNS = "the agent no longer runs it";

    /**
     * Step 1.
     *
     * @param ours the stored state of each reported worker that is placed on this server (any state); a reported
     *             worker missing here is unknown or another server's
     */
    static ReportsOutcome reports(Collection<Report> reports, Map<UUID, WorkerState> ours) {
        List<Transition> transitions = new ArrayList<>();
        List<Stop> stop = new ArrayList<>();
        for (Report r : reports) {
            WorkerState stored = ours.get(r.workerId());
            if (stored == null) {
                // whatever it is, it must not run here; a finished one is simply forgotten by the agent
                if (r.state() == WorkerState.RUNNING) stop.add(new Stop(r.workerId(), NOT_OURS));
                continue;
            }
            boolean write = switch (r.state()) {
                case RUNNING -> stored == WorkerState.ASSIGNED;
                // a STOPPING worker that ended becomes STOPPED (the lifecycle's rule); an ended one stays as it is
                case SUCCEEDED, FAILED -> !stored.terminal();
                default -> throw new IllegalArgumentException("an agent reports RUNNING, SUCCEEDED or FAILED, not "
                        + r.state());
            };
            if (write) transitions.add(new Transition(r.workerId(), r.state(), r.exitCode(), r.message()));
        }
        return new ReportsOutcome(transitions, stop);
    }

    /**
     * Step 2.
     *
     * @param active  the server's ASSIGNED, RUNNING and STOPPING workers now, in the order they were created (the
     *                order of the starts)
     * @param ours    the ids of the reported workers that are placed on this server (any state)
     * @param reports the reports by worker id
     */
    static Directives assignments(List<Stored> active, Set<UUID> ours, Map<UUID, Report> reports) {
        List<UUID> start = new ArrayList<>();
        List<Stop> stop = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        Set<UUID> activeIds = new java.util.HashSet<>();
        for (Stored w : active) {
            activeIds.add(w.workerId());
            boolean reported = reports.containsKey(w.workerId());
            switch (w.state()) {
                case ASSIGNED -> {
                    if (!reported) start.add(w.workerId());
                }
                case STOPPING -> {
                    if (reported) stop.add(new Stop(w.workerId(), STOP_REQUESTED));
                    else transitions.add(new Transition(w.workerId(), WorkerState.STOPPED, null, NOT_RUNNING));
                }
                case RUNNING -> {
                    if (!reported) transitions.add(new Transition(w.workerId(), WorkerState.LOST, null, NO_LONGER_RUNS));
                }
                default -> throw new IllegalArgumentException("not an active worker: " + w);
            }
        }
        // reported running, but ended here (cancelled, lost and requeued, its attempt failed...)
        for (Report r : reports.values()) {
            if (r.state() == WorkerState.RUNNING && ours.contains(r.workerId()) && !activeIds.contains(r.workerId()))
                stop.add(new Stop(r.workerId(), ENDED));
        }
        return new Directives(start, stop, transitions);
    }
}
