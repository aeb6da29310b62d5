package io.berth.core.scheduling;

import io.berth.core.placement.Assignment;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one cycle decided. Nothing has happened yet: the caller commits the placements (in this order) and the
 * preemptions, and records the reasons of the jobs that wait.
 *
 * @param placements   jobs to start now, in the order they were decided (each one's assignments assume the earlier
 *                     ones are committed)
 * @param preemptions  holders to stop so that a waiting job can run
 * @param reservations servers held back for blocked jobs (backfilled jobs leave them alone)
 * @param waiting      every considered job that does not start, with why, in queue order
 * @param after        the cycle's working copy of the cluster with the placements reserved (never the input's state);
 *                     a simulator, which commits every placement, continues from it. The cycle no longer uses it.
 */
public record CycleDecision(List<Placement> placements, List<Preemption> preemptions, List<Reservation> reservations,
                            Map<String, Wait> waiting, PlacementState after) {
    public CycleDecision {
        placements = List.copyOf(placements);
        preemptions = List.copyOf(preemptions);
        reservations = List.copyOf(reservations);
        waiting = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(waiting));
    }

    /**
     * @param backfilled the job starts ahead of a blocked job of the queue (around its reservation, or without one)
     */
    public record Placement(QueuedJob job, List<Assignment> assignments, boolean backfilled) {
        public Placement {
            assignments = List.copyOf(assignments);
        }
    }

    /** Stop {@code victim} so that job {@code forJobId} fits; {@code reason} is for the victim's event history. */
    public record Preemption(Holder victim, String forJobId, String reason) {
    }

    /**
     * @param servers       the servers the job would use once the running work is gone, sorted
     * @param expectedStart when every holder on those servers is expected to have ended; null when one of them has
     *                      no known end
     */
    public record Reservation(String jobId, Set<String> servers, Instant expectedStart) {
        public Reservation {
            servers = Set.copyOf(servers);
        }
    }

    /** Why a job waits. */
    public enum WaitKind {
        /** its tenant's quota would be exceeded */
        QUOTA,
        /** no room for it now (see the engine's reasons) */
        UNSCHEDULABLE,
        /** it would fit, but only on servers reserved for a blocked job ahead of it */
        BACKFILL,
        /** lower-priority jobs are being stopped to make room for it */
        PREEMPTING,
        /** a job ahead of it is blocked and the policy lets nothing overtake it ({@link Backfill#NONE}) */
        BEHIND_BLOCKED_JOB
    }

    /**
     * @param reason        for people (the job's pending reason)
     * @param unschedulable the engine's answer for {@link WaitKind#UNSCHEDULABLE}, else null
     */
    public record Wait(WaitKind kind, String reason, PlacementResult.Unschedulable unschedulable) {
    }
}
