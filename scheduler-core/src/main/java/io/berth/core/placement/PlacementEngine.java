package io.berth.core.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Places jobs: per replica, filter every server (hard constraints), let the GPU chooser propose GPU sets,
 * score the candidates (weighted, optionally normalised), reserve the best. Ties between servers are broken
 * at random with the given seed, so a result depends only on the state, the job and the seed.
 * Immutable and thread-safe; each call works on the state it is given.
 *
 * <p>Three modes on the same code: {@link #place} (now, on a working state), {@link #canEverFit} (on an empty
 * copy of the cluster) and {@link #whatIf} (on a copy, optionally after releasing running jobs).
 */
public final class PlacementEngine {
    private final Profile profile;
    private final FilterPlugin[] filters;
    private final ScorePlugin[] scorers;
    private final int[] weights;
    private final GangPlacer gangs = new GangPlacer(this);

    PlacementEngine(Profile profile, FilterPlugin[] filters, ScorePlugin[] scorers, int[] weights) {
        this.profile = profile;
        this.filters = filters;
        this.scorers = scorers;
        this.weights = weights;
    }

    public Profile profile() {
        return profile;
    }

    /**
     * Places every task group of the job on {@code state} and reserves it there. All or nothing: on
     * {@link PlacementResult.Unschedulable} the state is exactly as before.
     */
    public PlacementResult place(PlacementState state, JobRequest job, long seed) {
        return place(state, job, new SplittableRandom(seed ^ job.jobId().hashCode()));
    }

    /** As {@link #place(PlacementState, JobRequest, long)}, drawing tie-breaks from {@code random}. */
    public PlacementResult place(PlacementState state, JobRequest job, RandomGenerator random) {
        return gangs.place(state, job, random);
    }

    /**
     * Could the job run on this cluster if nothing else ran and every server were in service? Reserves nothing.
     * The cluster's totals are checked first ({@link ClusterTotals}): a job larger than the whole cluster is answered
     * with that arithmetic, not with the per-server reason of the first replica that found no room.
     */
    public PlacementResult canEverFit(ClusterSnapshot snapshot, JobRequest job) {
        PlacementResult.Unschedulable tooLarge = ClusterTotals.check(snapshot.layout(), job);
        if (tooLarge != null) return tooLarge;
        return place(snapshot.emptyCopy(), job, 0L);
    }

    /**
     * Would the job fit if the given running jobs were removed? Works on a copy; the snapshot is unchanged.
     *
     * @param release job ids of existing allocations to release first (unknown ids fail)
     */
    public PlacementResult whatIf(ClusterSnapshot snapshot, JobRequest job, Collection<String> release, long seed) {
        PlacementState copy = snapshot.workingCopy();
        for (String id : release)
            copy.release(snapshot.allocation(id).orElseThrow(() -> new IllegalArgumentException("no allocation " + id)));
        return place(copy, job, seed);
    }

    /**
     * Would the job fit on {@code state} if the given allocations were released? Works on a copy; {@code state} is
     * unchanged. The preemptor asks this for each candidate set of victims, the scheduling cycle's estimator for
     * "once these jobs end".
     *
     * @param release allocations held on {@code state} (releasing one that is not held fails)
     */
    public PlacementResult whatIf(PlacementState state, JobRequest job, Collection<Allocation> release, long seed) {
        PlacementState copy = state.copy();
        for (Allocation a : release) copy.release(a);
        return place(copy, job, seed);
    }

    /** Whether server s passes the gang's topology domain and every filter. */
    private boolean fits(CycleContext ctx, int s) {
        if (outsideRestriction(ctx, s)) return false;
        for (FilterPlugin f : filters) {
            if (!f.fits(ctx, s)) return false;
        }
        return true;
    }

    /** Gang topology is engine machinery, not a policy choice, so it is enforced here rather than by a plugin. */
    private static boolean outsideRestriction(CycleContext ctx, int s) {
        ClusterLayout l = ctx.layout();
        return switch (ctx.restriction()) {
            case NONE, INTERCONNECT_DOMAIN -> false; // domains restrict GPU eligibility, see CycleContext
            case RACK -> l.rack(s) != ctx.restrictionId();
            case LEAF_SWITCH -> l.leaf(s) != ctx.restrictionId();
        };
    }

    /**
     * Why no server could take the current replica: every failed filter of every server (a server without an agent
     * that also has the wrong GPU model counts under both), so fixing one reason does not reveal another. Outside
     * the gang's topology domain only that is counted. With the free-GPU index in use (maxFeasible > 0), servers the
     * index rules out (too few free GPUs of the right size) are counted as GPU_FREE without running their filters,
     * so a failure costs no full scan of a large cluster.
     */
    WhyNot explain(CycleContext ctx) {
        WhyNot why = new WhyNot();
        ClusterLayout l = ctx.layout();
        ServerOrder order = profile.maxFeasible() > 0 ? ServerOrder.indexed(ctx) : ServerOrder.all(l);
        int visited = 0;
        for (int s = order.next(); s >= 0; s = order.next()) {
            visited++;
            Reason r = null;
            if (outsideRestriction(ctx, s)) {
                r = new Reason(ReasonKind.TOPOLOGY, l.serverName(s), 1, 0, 1);
            } else {
                boolean failed = false;
                for (FilterPlugin f : filters) {
                    if (f.filter(ctx, s) instanceof FilterResult.Rejected rej) {
                        why.add(rej.reason());
                        failed = true;
                    }
                }
                if (failed) continue;
            }
            if (r == null && GpuChoices.of(ctx, s).isEmpty()) {
                ReasonKind k = ctx.restriction() != TopologyScope.NONE || ctx.group().topologyRequired()
                        ? ReasonKind.TOPOLOGY : ReasonKind.GPU_FREE;
                r = new Reason(k, l.serverName(s), ctx.group().gpuCount(), 0, l.gpusOn(s));
            }
            if (r != null) why.add(r);
        }
        why.addCount(ReasonKind.GPU_FREE, l.serverCount() - visited);
        return why;
    }

    /**
     * Chooses a server and GPUs for one replica of the context's group, or returns null when none fits.
     * Does not reserve.
     */
    Choice choose(CycleContext ctx, RandomGenerator random) {
        Candidates c = new Candidates();
        ServerOrder order = profile.maxFeasible() > 0 ? ServerOrder.indexed(ctx) : ServerOrder.all(ctx.layout());
        int feasible = 0;
        for (int s = order.next(); s >= 0; s = order.next()) {
            if (!fits(ctx, s)) continue;
            List<int[]> choices = GpuChoices.of(ctx, s);
            if (choices.isEmpty()) continue;
            for (int[] g : choices) c.add(s, g);
            if (profile.maxFeasible() > 0 && ++feasible >= profile.maxFeasible()) break;
        }
        if (c.size == 0) return null;
        return c.best(ctx, scorers, weights, random, profile.tieBreak());
    }

    /** A chosen server and GPUs (global numbers). */
    record Choice(int server, int[] gpus) {}

    /** Growable candidate list with the scoring and tie-break rules. */
    private static final class Candidates {
        int size;
        int[] servers = new int[64];
        int[][] gpus = new int[64][];

        void add(int s, int[] g) {
            if (size == servers.length) {
                servers = java.util.Arrays.copyOf(servers, size * 2);
                gpus = java.util.Arrays.copyOf(gpus, size * 2);
            }
            servers[size] = s;
            gpus[size++] = g;
        }

        Choice best(CycleContext ctx, ScorePlugin[] scorers, int[] weights, RandomGenerator random, Profile.TieBreak tieBreak) {
            long[] total = new long[size];
            long[] raw = new long[size];
            for (int p = 0; p < scorers.length; p++) {
                ScorePlugin sp = scorers[p];
                long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
                for (int i = 0; i < size; i++) {
                    raw[i] = sp.score(ctx, servers[i], gpus[i]);
                    min = Math.min(min, raw[i]);
                    max = Math.max(max, raw[i]);
                }
                for (int i = 0; i < size; i++) {
                    long v = raw[i];
                    if (sp.normalizes()) v = max == min ? ScorePlugin.MAX_SCORE : (v - min) * ScorePlugin.MAX_SCORE / (max - min);
                    else if (v < 0 || v > ScorePlugin.MAX_SCORE)
                        throw new IllegalStateException("scorer " + sp.name() + " returned " + v + " outside 0..100");
                    total[i] += weights[p] * v;
                }
            }
            // Within a server the highest score wins, then the tightest GPUs; across servers ties are random, or go
            // to the fullest server first with PACKING.
            boolean packing = tieBreak == Profile.TieBreak.PACKING;
            double bestFill = 0;
            int best = -1, ties = 0;
            for (int i = 0; i < size; ) {
                int j = i, pick = i;
                while (j < size && servers[j] == servers[i]) {
                    if (total[j] > total[pick] || (total[j] == total[pick] && free(ctx, gpus[j]) < free(ctx, gpus[pick])))
                        pick = j;
                    j++;
                }
                double fill = packing ? fillAfter(ctx, servers[pick]) : 0;
                if (best < 0 || total[pick] > total[best] || (total[pick] == total[best] && fill > bestFill)) {
                    best = pick;
                    bestFill = fill;
                    ties = 1;
                } else if (total[pick] == total[best] && fill == bestFill && random.nextInt(++ties) == 0) {
                    best = pick;
                }
                i = j;
            }
            return new Choice(servers[best], gpus[best]);
        }

        /** Best fit: (used CPU / capacity + used GPU / capacity) / 2 after placing the group; CPU alone without GPUs. */
        private static double fillAfter(CycleContext ctx, int s) {
            ClusterLayout l = ctx.layout();
            PlacementState st = ctx.state();
            long cpuCap = l.cpuCapacity(s);
            double cpu = cpuCap == 0 ? 1 : (double) (cpuCap - st.cpuFree(s) + ctx.group().cpuMillis()) / cpuCap;
            int n = l.gpusOn(s);
            if (n == 0) return cpu;
            double gpu = (1000.0 * n - st.gpuFreeMilli(s) + ctx.group().gpuMilliPerReplica()) / (1000.0 * n);
            return (cpu + gpu) / 2;
        }

        private static long free(CycleContext ctx, int[] g) {
            long f = 0;
            for (int x : g) f += ctx.state().gpuFree(x);
            return f;
        }
    }

    /** Visiting order of servers for one replica. */
    private interface ServerOrder {
        /** Next server index, or -1 when done. */
        int next();

        static ServerOrder all(ClusterLayout l) {
            int n = l.serverCount();
            return new ServerOrder() {
                int s = 0;

                public int next() {
                    return s < n ? s++ : -1;
                }
            };
        }

        /**
         * Servers that may have the GPUs, tightest first: for whole GPUs the buckets with exactly k, k+1, ...
         * whole free GPUs; for a shared GPU of m milli the servers whose best partly used GPU has about m or more
         * free (smallest first), then buckets 1..max; CPU-only replicas visit buckets 0..max.
         */
        static ServerOrder indexed(CycleContext ctx) {
            PlacementState.ServerIndex idx = ctx.state().index();
            TaskGroup t = ctx.group();
            List<java.util.BitSet> sets = new ArrayList<>();
            if (t.gpuCount() > 0 && t.milliGpuPerGpu() < 1000)
                for (int b = t.milliGpuPerGpu() / PlacementState.ServerIndex.PARTIAL_BIN; b < idx.byBestPartial.length; b++)
                    sets.add(idx.byBestPartial[b]);
            int from = t.gpuCount() == 0 ? 0 : (t.milliGpuPerGpu() < 1000 ? 1 : t.gpuCount());
            for (int k = from; k < idx.byWholeFree.length; k++) sets.add(idx.byWholeFree[k]);
            java.util.BitSet seen = t.gpuCount() > 0 && t.milliGpuPerGpu() < 1000 ? new java.util.BitSet() : null;
            // Within a bucket, start where the previous search of this state stopped (Kubernetes' rotating start
            // index): servers that keep failing on CPU or memory are not rescanned from the front every time.
            int start = idx.cursor;
            return new ServerOrder() {
                int set = 0, pos = start;
                boolean wrapped = false;

                public int next() {
                    while (set < sets.size()) {
                        java.util.BitSet b = sets.get(set);
                        int s = b.nextSetBit(pos);
                        if (wrapped && s >= start) s = -1;
                        if (s < 0) {
                            if (!wrapped && start > 0) {
                                wrapped = true;
                                pos = 0;
                            } else {
                                set++;
                                pos = start;
                                wrapped = false;
                            }
                            continue;
                        }
                        pos = s + 1;
                        if (seen != null) {
                            if (seen.get(s)) continue;
                            seen.set(s);
                        }
                        idx.cursor = s + 1;
                        return s;
                    }
                    return -1;
                }
            };
        }
    }
}
