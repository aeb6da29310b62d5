package io.berth.core.scheduling;

import io.berth.core.placement.Assignment;
import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What happens behind a job that does not fit. Pure.
 * <ul>
 *   <li>{@link #NONE}: nothing behind it starts this cycle (strict first come, first served: Slurm without its
 *   backfill scheduler). A blocked head never starves, at the price of idle resources.</li>
 *   <li>{@link #GREEDY}: every later job that fits starts (Kubernetes' default scheduler). Small jobs keep flowing;
 *   a large one can wait for ever.</li>
 *   <li>{@link #RESERVATION}: the first blocked job reserves the servers it would use once the running work is gone;
 *   later jobs start only where they leave those servers alone (backfill around a reservation).</li>
 * </ul>
 */
public enum Backfill {
    NONE, GREEDY, RESERVATION;

    /**
     * The servers the blocked job would use if every holder were gone (what the engine answers in what-if mode),
     * sorted by name; empty when it would not fit even then. With every holder gone, what is left taken is what this
     * cycle placed so far: the cluster is rebuilt from its layout with those placements reserved, which costs the
     * cycle's placements instead of every running job.
     *
     * @param state  the cycle's working state (only its layout is read)
     * @param placed the cycle's placements so far
     */
    static Set<String> reservationFor(PlacementEngine engine, PlacementState state, List<CycleDecision.Placement> placed,
                                      QueuedJob job, long seed) {
        PlacementState drained = ClusterSnapshot.of(state.layout(), List.of()).workingCopy();
        for (CycleDecision.Placement p : placed) for (Assignment a : p.assignments()) drained.reserve(a);
        PlacementResult r = engine.place(drained, job.request(), seed);
        if (!(r instanceof PlacementResult.Placed p)) return Set.of();
        Set<String> servers = new TreeSet<>();
        for (Assignment a : p.assignments()) servers.add(a.server());
        return servers;
    }
}
