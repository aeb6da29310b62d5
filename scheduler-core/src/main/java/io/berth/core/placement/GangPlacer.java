package io.berth.core.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * All-or-nothing placement of a job's replicas, with topology: a group whose replicas should share a rack,
 * leaf switch or interconnect domain is tried in one domain at a time (tightest domain with enough free GPU
 * first); if none holds it, a required topology makes the job unschedulable and a preferred one falls back to
 * placing anywhere, where the topology scorer pulls replicas towards racks the job already uses.
 * Every reservation made for a job that ends unschedulable is released before returning.
 */
final class GangPlacer {
    private final ReplicaSearch search;

    GangPlacer(ReplicaSearch search) {
        this.search = search;
    }

    private record Placed(TaskGroup group, int replica, int server, int[] gpus) {}

    PlacementResult place(PlacementState state, JobRequest job, RandomGenerator random) {
        CycleContext ctx = new CycleContext(state);
        List<Placed> placed = new ArrayList<>();
        for (TaskGroup g : job.taskGroups()) {
            ctx.setGroup(g);
            PlacementResult.Unschedulable failure = placeGroup(ctx, job, g, placed, random);
            if (failure != null) {
                rollback(state, ctx, placed, 0);
                return failure;
            }
        }
        List<Assignment> out = new ArrayList<>(placed.size());
        ClusterLayout l = state.layout();
        for (Placed p : placed) {
            List<Integer> idx = new ArrayList<>(p.gpus.length);
            for (int gpu : p.gpus) idx.add(l.gpuLocalIndex(gpu));
            idx.sort(null);
            TaskGroup t = p.group;
            out.add(new Assignment(t.name(), p.replica, l.serverName(p.server), idx, t.milliGpuPerGpu(), t.cpuMillis(),
                    t.memoryMib(), t.storageGib(), t.storageMbPerSec(), t.networkMbps()));
        }
        return new PlacementResult.Placed(job.jobId(), out);
    }

    private PlacementResult.Unschedulable placeGroup(CycleContext ctx, JobRequest job, TaskGroup g, List<Placed> placed,
                                                     RandomGenerator random) {
        boolean grouped = g.topology() != TopologyScope.NONE && (g.replicas() > 1 || g.topology() != TopologyScope.INTERCONNECT_DOMAIN);
        if (grouped) {
            for (int domain : domainsTightestFirst(ctx, g)) {
                ctx.restrict(g.topology(), domain);
                int mark = placed.size();
                boolean ok = placeReplicas(ctx, g, placed, random);
                ctx.restrict(TopologyScope.NONE, -1);
                if (ok) return null;
                rollback(ctx.working(), ctx, placed, mark);
            }
            if (g.topologyRequired()) {
                var reasons = Map.of(ReasonKind.TOPOLOGY, ctx.layout().serverCount());
                return new PlacementResult.Unschedulable(job.jobId(), g.name(), reasons, List.of(), "no single "
                        + g.topology().name().toLowerCase().replace('_', ' ') + " can hold " + g.gangSize()
                        + " replicas of task group " + g.name() + " (" + WhyNot.summary(reasons) + ")");
            }
        }
        // Nothing of the job reserved yet and no topology tried: whether a first replica fits anywhere depends on the
        // state only, so a refusal of this shape since the last release holds (see PlacementState#refusal).
        boolean first = placed.isEmpty() && !grouped;
        PlacementResult.Unschedulable known = first ? ctx.working().refusal(g) : null;
        if (known != null)
            return new PlacementResult.Unschedulable(job.jobId(), g.name(), known.serversByReason(), known.sample(),
                    known.summary());
        int mark = placed.size();
        if (placeReplicas(ctx, g, placed, random)) return null;
        boolean noneFits = first && placed.isEmpty();
        // Explain with the partial gang still reserved: that is the state the failing replica met.
        WhyNot why = search.explain(ctx);
        rollback(ctx.working(), ctx, placed, mark);
        var byCount = why.byCount();
        var refusal = new PlacementResult.Unschedulable(job.jobId(), g.name(), byCount, why.sample(), WhyNot.summary(byCount));
        if (noneFits) ctx.working().refused(g, refusal);
        return refusal;
    }

    /** Places replicas in order; true when at least the gang size was placed (extra replicas are best effort). */
    private boolean placeReplicas(CycleContext ctx, TaskGroup g, List<Placed> placed, RandomGenerator random) {
        for (int r = 0; r < g.replicas(); r++) {
            ReplicaSearch.Choice c = search.choose(ctx, random);
            if (c == null) return r >= g.gangSize();
            ctx.working().reserve(c.server(), c.gpus(), g.milliGpuPerGpu(), g);
            ctx.placed(c.server(), c.gpus());
            placed.add(new Placed(g, r, c.server(), c.gpus()));
        }
        return true;
    }

    private static void rollback(PlacementState state, CycleContext ctx, List<Placed> placed, int keep) {
        while (placed.size() > keep) {
            Placed p = placed.remove(placed.size() - 1);
            state.release(p.server, p.gpus, p.group.milliGpuPerGpu(), p.group);
            ctx.unplaceLast();
        }
    }

    /** Domain ids of the group's scope with enough free GPU milli for the gang, least free first. */
    private static List<Integer> domainsTightestFirst(CycleContext ctx, TaskGroup g) {
        ClusterLayout l = ctx.layout();
        PlacementState st = ctx.working();
        int count = g.topology() == TopologyScope.RACK ? l.racks.size()
                : g.topology() == TopologyScope.LEAF_SWITCH ? l.leaves.size() : l.domains.size();
        long[] freeMilli = new long[count];
        long[] freeCpu = new long[count];
        for (int s = 0; s < l.serverCount(); s++) {
            if (!st.serverReady(s)) continue;
            if (g.topology() == TopologyScope.INTERCONNECT_DOMAIN) {
                for (int gpu = l.gpuStart(s); gpu < l.gpuEnd(s); gpu++)
                    if (st.gpuUsable(gpu)) freeMilli[l.gpuDomain(gpu)] += st.gpuFree(gpu);
                continue;
            }
            int d = g.topology() == TopologyScope.RACK ? l.rack(s) : l.leaf(s);
            if (d < 0) continue;
            freeMilli[d] += st.gpuFreeMilli(s);
            freeCpu[d] += st.cpuFree(s);
        }
        long needGpu = g.gpuMilliPerReplica() * g.gangSize();
        long needCpu = g.cpuMillis() * g.gangSize();
        Integer[] ids = new Integer[count];
        for (int i = 0; i < count; i++) ids[i] = i;
        return Arrays.stream(ids)
                .filter(d -> freeMilli[d] >= needGpu && (g.topology() == TopologyScope.INTERCONNECT_DOMAIN || freeCpu[d] >= needCpu))
                .sorted(Comparator.<Integer>comparingLong(d -> freeMilli[d]).thenComparingLong(d -> freeCpu[d]))
                .toList();
    }
}
