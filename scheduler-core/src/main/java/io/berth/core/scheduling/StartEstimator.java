package io.berth.core.scheduling;

import io.berth.core.placement.Allocation;
import io.berth.core.placement.Assignment;
import io.berth.core.placement.PlacementState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * When would a queued job probably start? Runs the {@link SchedulingCycle} forward in time on a copy of the input
 * (Slurm's {@code sbatch --test-only} idea): at each step the holders whose expected end has come give their
 * resources back, one cycle places what it places of the queue (the jobs ahead included, which then hold their
 * resources for their {@code maxRunSeconds}), and time moves to the next expected end. Preempted jobs give their
 * resources back at once. Nothing new is assumed to arrive, and every job runs for its whole {@code maxRunSeconds}
 * (the limit, not a prediction), so the answer is an estimate from what is known now. A stopping holder without a
 * known end is taken to give its resources back at once. Pure.
 */
public final class StartEstimator {
    /** Cycles simulated at most before answering "unknown". */
    public static final int MAX_STEPS = 200;

    private StartEstimator() {}

    /**
     * @param start null when it is not known: a holder in the way has no maxRunSeconds, or the job did not start
     *              within {@link #MAX_STEPS} cycles
     * @param placement where the job starts then (as the cycle would place it on the simulated cluster)
     */
    public record Estimate(Instant start, List<Assignment> placement) {
        public Estimate {
            placement = placement == null ? List.of() : List.copyOf(placement);
        }
    }

    /** @param jobId a job of {@code input.queue()} */
    public static Estimate estimate(SchedulingCycle cycle, CycleInput input, String jobId) {
        return estimate(cycle, input, jobId, Map.of());
    }

    /**
     * As {@link #estimate(SchedulingCycle, CycleInput, String)}, with servers that are not ready now but are expected
     * to be at a known time (powered-off servers a resume would bring back, servers resuming): from that time on
     * they take work in the simulation.
     *
     * @param readyAt expected ready time by server name; servers not in the input's layout are ignored
     */
    public static Estimate estimate(SchedulingCycle cycle, CycleInput input, String jobId, Map<String, Instant> readyAt) {
        Objects.requireNonNull(jobId, "jobId");
        Map<Integer, Instant> comingBack = new HashMap<>();
        readyAt.forEach((name, at) -> {
            int i = input.free().layout().serverIndex(name);
            if (i >= 0 && !input.free().serverReady(i)) comingBack.put(i, at);
        });
        List<QueuedJob> queue = new ArrayList<>(input.queue());
        Instant now = input.now();
        List<Holder> holders = new ArrayList<>(input.holders().size());
        for (Holder h : input.holders()) // a stopping holder's resources come back about now
            holders.add(h.stopping() && h.expectedEnd() == null ? new Holder(h.jobId(), h.tenant(), h.priority(),
                    h.submittedAt(), true, h.allocation(), now) : h);
        PlacementState state = input.free();
        for (int step = 0; step < MAX_STEPS; step++) {
            state = readyBy(state, comingBack, now);
            CycleDecision d = cycle.run(new CycleInput(queue, holders, state, usage(holders, input, step),
                    input.capacity(), input.quotas(), now, input.seed() + step));
            state = d.after();
            for (CycleDecision.Placement p : d.placements()) {
                if (p.job().id().equals(jobId)) return new Estimate(now, p.assignments());
                queue.remove(p.job());
                Integer max = p.job().maxRunSeconds();
                holders.add(new Holder(p.job().id(), p.job().tenant(), p.job().priority(), p.job().submittedAt(), false,
                        new Allocation(p.job().id(), p.job().priority(), p.assignments()),
                        max == null ? null : now.plusSeconds(max)));
            }
            boolean released = false;
            for (CycleDecision.Preemption p : d.preemptions()) {
                if (holders.remove(p.victim())) {
                    state.release(p.victim().allocation());
                    released = true;
                }
            }
            if (released) continue; // the preempting job's turn, at the same time
            Instant next = null;
            for (Holder h : holders)
                if (h.expectedEnd() != null && (next == null || h.expectedEnd().isBefore(next))) next = h.expectedEnd();
            for (Instant at : comingBack.values()) if (next == null || at.isBefore(next)) next = at;
            if (next == null) return new Estimate(null, null); // nothing more is known to end or come back
            if (next.isAfter(now)) now = next;
            for (var it = holders.iterator(); it.hasNext(); ) {
                Holder h = it.next();
                if (h.expectedEnd() != null && !h.expectedEnd().isAfter(now)) {
                    state.release(h.allocation());
                    it.remove();
                }
            }
        }
        return new Estimate(null, null);
    }

    /** {@code state} with the servers due by {@code now} ready (removed from {@code comingBack}). */
    private static PlacementState readyBy(PlacementState state, Map<Integer, Instant> comingBack, Instant now) {
        java.util.Set<Integer> due = new java.util.HashSet<>();
        comingBack.forEach((s, at) -> {
            if (!at.isAfter(now)) due.add(s);
        });
        if (due.isEmpty()) return state;
        comingBack.keySet().removeAll(due);
        return state.withReady(due);
    }

    /** The input's tenant usage at step 0; afterwards what the simulated holders hold. */
    private static Map<String, Usage> usage(List<Holder> holders, CycleInput input, int step) {
        if (step == 0) return input.tenantUsage();
        Map<String, Usage> out = new HashMap<>();
        for (Holder h : holders)
            for (Assignment a : h.allocation().assignments())
                out.merge(h.tenant(), new Usage((long) a.gpuIndices().size() * a.milliGpuPerGpu(), a.cpuMillis()),
                        Usage::plus);
        return out;
    }
}
