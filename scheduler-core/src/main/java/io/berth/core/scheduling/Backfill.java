package io.berth.core.scheduling;

import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;

import java.util.ArrayList;
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
     * sorted by name; empty when it would not fit even then.
     */
    static Set<String> reservationFor(PlacementEngine engine, PlacementState state, QueuedJob job, List<Holder> holders,
                                      long seed) {
        List<Allocation> all = new ArrayList<>(holders.size());
        for (Holder h : holders) all.add(h.allocation());
        PlacementResult r = engine.whatIf(state, job.request(), all, seed);
        if (!(r instanceof PlacementResult.Placed p)) return Set.of();
        Set<String> servers = new TreeSet<>();
        for (Assignment a : p.assignments()) servers.add(a.server());
        return servers;
    }
}
