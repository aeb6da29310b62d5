package io.berth.core.scheduling;

import io.berth.core.placement.Allocation;
import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.PlacementState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses whole lower-priority jobs to stop so that a blocked job fits (a PostFilter, as Nomad's preemptor: a pure
 * type). Every question is asked to the placement engine's what-if mode on the cycle's state, so the answer is the
 * engine's own: there is no second model of what fits.
 *
 * @param minPriority jobs with at least this priority may preempt; others never do
 */
public record Preemptor(int minPriority) {
    /** Victims by preference: lowest priority first, then the newest (the least work lost). */
    static final Comparator<Holder> VICTIM_ORDER = Comparator.comparingInt(Holder::priority)
            .thenComparing(Holder::submittedAt, Comparator.reverseOrder());

    public boolean mayPreempt(QueuedJob job) {
        return job.priority() >= minPriority;
    }

    /**
     * The fewest lower-priority, not already stopping holders, taken in {@link #VICTIM_ORDER}, whose removal lets
     * the job fit on {@code state}; then each victim but the last is dropped again when the job fits without it.
     * Empty when even stopping every candidate does not make room. {@code state} is unchanged.
     */
    public List<Holder> victims(PlacementEngine engine, PlacementState state, QueuedJob job, List<Holder> holders,
                                long seed) {
        List<Holder> candidates = new ArrayList<>();
        for (Holder h : holders) if (h.priority() < job.priority() && !h.stopping()) candidates.add(h);
        if (candidates.isEmpty()) return List.of();
        candidates.sort(VICTIM_ORDER);
        List<Holder> chosen = new ArrayList<>();
        boolean fits = false;
        for (Holder h : candidates) {
            chosen.add(h);
            if (fits(engine, state, job, chosen, seed)) {
                fits = true;
                break;
            }
        }
        if (!fits) return List.of();
        for (int i = chosen.size() - 2; i >= 0; i--) {
            List<Holder> without = new ArrayList<>(chosen);
            without.remove(i);
            if (fits(engine, state, job, without, seed)) chosen.remove(i);
        }
        return List.copyOf(chosen);
    }

    private static boolean fits(PlacementEngine engine, PlacementState state, QueuedJob job, List<Holder> released,
                                long seed) {
        List<Allocation> allocations = new ArrayList<>(released.size());
        for (Holder h : released) allocations.add(h.allocation());
        return engine.whatIf(state, job.request(), allocations, seed) instanceof PlacementResult.Placed;
    }
}
