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
    private final GangPlacer gangs = new GangPlacer(new ReplicaSearch() {
        @Override
        public Choice choose(CycleContext ctx, RandomGenerator random) {
            return PlacementEngine.this.choose(ctx, random);
        }

        @Override
        public WhyNot explain(CycleContext ctx) {
            return PlacementEngine.this.explain(ctx);
        }
    });
    /**
     * The profile runs the built-in "cpu" filter (free CPU must cover the request), so the search may skip servers
     * without CPU left for a replica that asks for CPU.
     */
    private final boolean cpuFiltered;

    PlacementEngine(Profile profile, FilterPlugin[] filters, ScorePlugin[] scorers, int[] weights) {
        this.profile = profile;
        this.filters = filters;
        this.scorers = scorers;
        this.weights = weights;
        this.cpuFiltered = profile.filters().contains("cpu");
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
        ServerOrder order = profile.maxFeasible() > 0 ? ServerOrder.indexed(ctx, false) : ServerOrder.all(l);
        int visited = 0;
        Candidates scratch = new Candidates();
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
            scratch.size = 0;
            if (r == null && GpuChoices.add(ctx, s, scratch) == 0) {
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
    ReplicaSearch.Choice choose(CycleContext ctx, RandomGenerator random) {
        Candidates c = new Candidates();
        // Servers without CPU left cannot take a replica that asks for CPU, when the profile filters on CPU.
        boolean withCpu = cpuFiltered && ctx.group().cpuMillis() > 0;
        ServerOrder order = profile.maxFeasible() > 0 ? ServerOrder.indexed(ctx, withCpu)
                : ServerOrder.mayFit(ctx, withCpu);
        int feasible = 0;
        for (int s = order.next(); s >= 0; s = order.next()) {
            if (!fits(ctx, s)) continue;
            if (GpuChoices.add(ctx, s, c) == 0) continue;
            if (profile.maxFeasible() > 0 && ++feasible >= profile.maxFeasible()) break;
        }
        if (c.size == 0) return null;
        return c.best(ctx, scorers, weights, random, profile.tieBreak());
    }

    /** Growable candidate list with the scoring and tie-break rules. */
    private static final class Candidates implements GpuChoices.Sink {
        int size;
        int[] servers = new int[64];
        int[][] gpus = new int[64][];

        public void add(int s, int[] g) {
            if (size == servers.length) {
                servers = java.util.Arrays.copyOf(servers, size * 2);
                gpus = java.util.Arrays.copyOf(gpus, size * 2);
            }
            servers[size] = s;
            gpus[size++] = g;
        }

        ReplicaSearch.Choice best(CycleContext ctx, ScorePlugin[] scorers, int[] weights, RandomGenerator random, Profile.TieBreak tieBreak) {
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
                int j = i + 1, pick = i;
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
            return new ReplicaSearch.Choice(servers[best], gpus[best]);
        }

        /** Best fit: (used CPU / capacity + used GPU / capacity) / 2 after placing the group; CPU alone without GPUs. */
        private static double fillAfter(CycleContext ctx, int s) {
            ClusterLayout l = ctx.layout();
            PlacementState st = ctx.working();
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
         * The index buckets that may hold a server for the group, tightest first: every server that has the GPUs the
         * group asks for is in one of them (the filters decide the rest). With {@code withCpu} only servers with CPU
         * left are in them.
         */
        private static List<java.util.BitSet> buckets(PlacementState.ServerIndex idx, TaskGroup t, boolean withCpu) {
            List<java.util.BitSet> sets = new ArrayList<>();
            java.util.BitSet[] partial = idx.byBestPartial(withCpu), whole = idx.byWholeFree(withCpu);
            if (t.gpuCount() > 0 && t.milliGpuPerGpu() < 1000)
                for (int b = t.milliGpuPerGpu() / PlacementState.ServerIndex.PARTIAL_BIN; b < partial.length; b++)
                    sets.add(partial[b]);
            int from = t.gpuCount() == 0 ? 0 : (t.milliGpuPerGpu() < 1000 ? 1 : t.gpuCount());
            for (int k = from; k < whole.length; k++) sets.add(whole[k]);
            return sets;
        }

        /** Partial-GPU bins at the head of {@link #buckets}' list for the group. */
        private static int partialCount(PlacementState.ServerIndex idx, TaskGroup t) {
            if (t.gpuCount() == 0 || t.milliGpuPerGpu() >= 1000) return 0;
            return idx.byBestPartial.length - t.milliGpuPerGpu() / PlacementState.ServerIndex.PARTIAL_BIN;
        }

        /**
         * Every server in index order, skipping those the free-GPU index rules out (and, with {@code withCpu}, those
         * without CPU left): the same candidates, in the same order, as visiting all servers (a skipped server would
         * fail the GPU or CPU filter), so scoring every server (and its random tie-breaks) gives the same decisions,
         * without filtering the servers that cannot take the replica.
         */
        static ServerOrder mayFit(CycleContext ctx, boolean withCpu) {
            if (ctx.group().gpuCount() == 0 && !withCpu) return all(ctx.layout());
            java.util.BitSet union = new java.util.BitSet(ctx.layout().serverCount());
            for (java.util.BitSet b : buckets(ctx.working().index(), ctx.group(), withCpu)) union.or(b);
            return new ServerOrder() {
                int s = union.nextSetBit(0);

                public int next() {
                    int r = s;
                    if (r >= 0) s = union.nextSetBit(r + 1);
                    return r;
                }
            };
        }

        /**
         * Servers that may have the GPUs, tightest first: for whole GPUs the buckets with exactly k, k+1, ...
         * whole free GPUs; for a shared GPU of m milli the servers whose best partly used GPU has about m or more
         * free (smallest first), then buckets 1..max; CPU-only replicas visit buckets 0..max. With {@code withCpu}
         * servers without CPU left are skipped; the walk still moves the rotating start exactly as the walk over
         * every server would, so the servers visited next time, and so the decisions, do not change.
         */
        static ServerOrder indexed(CycleContext ctx, boolean withCpu) {
            PlacementState.ServerIndex idx = ctx.working().index();
            TaskGroup t = ctx.group();
            List<java.util.BitSet> sets = buckets(idx, t, withCpu);
            int partials = partialCount(idx, t);
            java.util.BitSet seen = partials > 0 ? new java.util.BitSet() : null;
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
                    if (withCpu) {
                        int last = lastVisited(buckets(idx, t, false), partials, start);
                        if (last >= 0) idx.cursor = last + 1;
                    }
                    return -1;
                }
            };
        }

        /**
         * The server a complete walk over {@code sets} from {@code start} visits last, or -1 when it visits none:
         * the last set that yields one, read backwards in its rotation ([0, start) descending, then [start, end)
         * descending); in the whole-GPU sets (after the first {@code partials} sets) a server already visited in a
         * partial bin does not count, as the walk skips it there.
         */
        private static int lastVisited(List<java.util.BitSet> sets, int partials, int start) {
            for (int i = sets.size() - 1; i >= 0; i--) {
                java.util.BitSet b = sets.get(i);
                for (int s = b.previousSetBit(start - 1); s >= 0; s = b.previousSetBit(s - 1))
                    if (!visitedBefore(sets, partials, i, s)) return s;
                for (int s = b.previousSetBit(b.length() - 1); s >= start; s = b.previousSetBit(s - 1))
                    if (!visitedBefore(sets, partials, i, s)) return s;
            }
            return -1;
        }

        private static boolean visitedBefore(List<java.util.BitSet> sets, int partials, int i, int s) {
            if (i < partials) return false; // partial bins are disjoint
            for (int j = 0; j < partials; j++) if (sets.get(j).get(s)) return true;
            return false;
        }
    }
}
